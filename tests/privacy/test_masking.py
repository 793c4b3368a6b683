"""The masking of log records: NIK/KK numbers, Indonesian phone numbers, bot tokens and configured
secrets, wherever they are in a record (message, arguments, extra fields, exception, stack)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import mask
from tests.support.logs import LogCapture

NIK, KK = "6271034507900001", "6271032011150004"
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm"


@pytest.mark.parametrize("raw", [
    "0812-3456-7890", "081234567890", "0812 3456 7890", "+6281234567890", "+62 812-3456-7890", "6281234567890",
    "0812.3456.789", "(+62) 812 3456 7890",
])
def test_phone_numbers_are_masked(raw: str) -> None:
    masked = mask(f"hubungi {raw}, terima kasih")
    assert "[telepon]" in masked and "3456" not in masked, masked


def test_nik_and_kk_keep_only_region_and_last_digits() -> None:
    assert mask(f"nik={NIK} kk={KK}") == "nik=6271********0001 kk=6271********0004"
    assert mask(f'{{"nik": "{NIK}{KK}"}}') == '{"nik": "6271' + "*" * 24 + '0004"}'


@pytest.mark.parametrize("raw", [
    TOKEN, f"https://api.telegram.org/bot{TOKEN}/sendMessage", f"/file/bot{TOKEN}/photos/file_1.jpg",
    "http://127.0.0.1:8081/bot123456:TEST/getUpdates", "https://api.telegram.org/bot123456%3AAAFakeTokenForTestsOnly/x",
])
def test_bot_tokens_are_masked(raw: str) -> None:
    masked = mask(raw)
    assert "AAFake" not in masked and "TEST" not in masked and "token]" in masked, masked


@pytest.mark.parametrize("text", [
    "2026-11-22 08:00:00,123", "400.12.2.2/017/BT/XI/2026", "retry in 0.5s", "update_id=100005",
    "request 17 approved", "outbox telegram #123 sent", "127.0.0.1:54321", "BT-2026-000017",
])
def test_ordinary_log_text_is_left_alone(text: str) -> None:
    assert mask(text) == text


def test_every_part_of_a_record_is_masked(captured_logs: LogCapture) -> None:
    log = logging.getLogger("esurat.test.masking")
    log.info("warga %s telepon %s", NIK, "0812-3456-7890", extra={"kk": KK, "data": {"nik": NIK}})
    log.info("%(nik)s", {"nik": NIK})
    log.warning("angka %d", int(KK))  # a number argument: the message is kept whole, masked
    try:
        raise ValueError(f"NIK {NIK} tidak valid; token {TOKEN}")
    except ValueError:
        log.exception("gagal untuk %s", "0812-3456-7890")
    log.info("tumpukan", stack_info=True, extra={"url": f"https://api.telegram.org/bot{TOKEN}/getMe"})
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                                             f"/x?hp=081234567890&nik={NIK}", "1.1", 200)
    text = captured_logs.text
    for secret in (NIK, KK, "0812-3456-7890", "081234567890", TOKEN, "AAFakeToken"):
        assert secret not in text, secret
    docs = [json.loads(line) for line in text.splitlines()]
    assert docs[0]["msg"] == "warga 6271********0001 telepon [telepon]"
    assert docs[0]["kk"] == "6271********0004" and "6271********0001" in docs[0]["data"]
    assert docs[1]["msg"] == "6271********0001" and docs[2]["msg"] == "angka 6271********0004"
    assert "ValueError: NIK 6271********0001 tidak valid; token [token]" in docs[3]["exc"]
    assert docs[3]["msg"] == "gagal untuk [telepon]"
    assert "stack" in docs[4] and docs[4]["url"] == "https://api.telegram.org/bot[token]/getMe"
    assert docs[5]["logger"] == "uvicorn.access" and "hp=[telepon]" in docs[5]["msg"]


def test_configured_secrets_are_masked_in_the_text_format(captured_logs: LogCapture) -> None:
    from bot.logging_setup import configure_logging

    stream = io.StringIO()
    handler = configure_logging("INFO", "text", secrets=["webhook-secret-value"], stream=stream, replace=False)
    try:
        logging.getLogger("esurat.test").warning("header %s ditolak", "webhook-secret-value")
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip()
    assert line.endswith("WARNING esurat.test: header [rahasia] ditolak"), line


def test_the_log_level_and_format_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from config.settings import Settings

    monkeypatch.setenv("ESURAT_LOG_LEVEL", " debug ")
    monkeypatch.setenv("ESURAT_LOG_FORMAT", "json")
    settings = Settings(_env_file=None)
    assert settings.log_level == "DEBUG" and settings.log_format == "json"
    for name, bad in (("ESURAT_LOG_LEVEL", "LOUD"), ("ESURAT_LOG_FORMAT", "xml")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValidationError):
            Settings(_env_file=None)
        monkeypatch.delenv(name)
