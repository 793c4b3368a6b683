"""The `esurat` CLI on the embedded database: migrate, list and set kelurahan, add and list staff."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ESURAT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_admin_commands(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    listing = runner.invoke(app, ["kelurahan", "list"])
    assert listing.exit_code == 0
    assert len(listing.output.strip().splitlines()) == 30
    assert "bukit-tunggal" in listing.output and "[contoh]" in listing.output

    res = runner.invoke(app, [
        "kelurahan", "set", "bukit-tunggal", "--telegram-chat-id", "-100200", "--signatory-name", "Drs. A",
        "--signatory-nip", "197001012000031001",
    ])
    assert res.exit_code == 0, res.output
    listing = runner.invoke(app, ["kelurahan", "list"])
    line = next(x for x in listing.output.splitlines() if x.startswith("bukit-tunggal"))
    assert "telegram=-100200" in line and "[contoh]" not in line

    bad = runner.invoke(app, ["kelurahan", "set", "bukit-tunggal", "--signatory-nip", "123"])
    assert bad.exit_code == 2
    assert runner.invoke(app, ["kelurahan", "set", "atlantis", "--phone", "1"]).exit_code == 2

    res = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Rina", "--role", "operator",
                              "--telegram-user-id", "555"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "X", "--role", "raja"]).exit_code == 2
    staff = runner.invoke(app, ["staff", "list", "bukit-tunggal"])
    assert "Rina" in staff.output and "tg=555" in staff.output


def test_webhook_mode_without_a_secret_stops_the_cli_at_start_up(runner: CliRunner,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    res = runner.invoke(app, ["db", "upgrade"])
    assert res.exit_code == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in res.output


def test_check_reports_a_corrupt_letter_and_a_missing_upload(runner: CliRunner, tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import select

    from bot.composition import build_services
    from config.settings import Settings, StorageSettings
    from db.models import Letter
    from tests.lifecycle.test_issuing import FIELDS
    from tests.support.lifecycle import make_resident, make_staff

    data = tmp_path / "data"
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0 and "semua utuh" in ok.output and "0 surat" in ok.output
    services = build_services(Settings(_env_file=None, storage=StorageSettings(data_dir=data)))

    async def issue_two() -> tuple[list[str], list[str]]:
        resident, staff = await make_resident(services.sessions), await make_staff(services.sessions)
        async with services.sessions.begin() as s:
            uploads = [await services.uploads.store(s, b"%PDF-1.4 upload " + bytes([n]) * 64, "ktp",
                                                    services.clock()) for n in range(2)]
        numbers = []
        for n in range(2):
            req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                      fields=FIELDS, attachment_ids=[uploads[n].id])
            await services.lifecycle.approve(req.id, staff)
            numbers.append((await services.issuing.issue(req.id)).number)
        async with services.sessions() as s:
            paths = [letter.pdf_path for letter in await s.scalars(select(Letter).order_by(Letter.id))]
        await services.aclose()
        return numbers, [paths[0], uploads[1].path]

    numbers, (letter_path, upload_path) = asyncio.run(issue_two())
    assert runner.invoke(app, ["check"]).exit_code == 0
    pdf = data / "letters" / letter_path
    body = bytearray(pdf.read_bytes())
    body[len(body) // 2] ^= 0x01  # one bit changed
    pdf.write_bytes(bytes(body))
    (data / "uploads" / upload_path).unlink()

    res = runner.invoke(app, ["check"])
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 3, res.output
    assert lines[0].startswith(f"RUSAK surat {numbers[0]} (") and "SHA-256 tidak cocok" in lines[0]
    assert lines[1].startswith("HILANG lampiran #2 (ktp) (") and "berkas tidak ada / file missing" in lines[1]
    assert numbers[1] not in res.output
    assert lines[2] == ("Diperiksa 2 surat dan 2 lampiran: 2 bermasalah. / "
                        "Checked 2 letters and 2 attachments: 2 with problems.")


def test_run_sets_up_logging_that_masks_personal_data_and_secrets(runner: CliRunner,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    import bot.server
    from bot.logging_setup import unconfigure_logging
    from config.settings import Settings

    token = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    monkeypatch.setenv("ESURAT_LOG_FORMAT", "json")
    seen: list[bool] = []

    def fake_serve(settings: Settings, *, demo: bool) -> None:
        seen.append(demo)
        logging.getLogger("uvicorn.error").info("GET /bot%s/getMe from 0812-3456-7890", token)
        logging.getLogger("esurat.test").warning("NIK %s", "6271034507900001")

    monkeypatch.setattr(bot.server, "serve", fake_serve)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        res = runner.invoke(app, ["run"])
    finally:
        unconfigure_logging()
        root.handlers[:] = handlers
        root.setLevel(level)
    assert res.exit_code == 0, res.output
    assert seen == [False]
    out = res.stderr
    assert '"logger": "uvicorn.error"' in out and "/bot[token]/getMe from [telepon]" in out
    assert '"msg": "NIK 6271********0001"' in out
    assert token not in out and "AAFake" not in out and "6271034507900001" not in out
