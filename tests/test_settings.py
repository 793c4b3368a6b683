"""Settings: every environment variable the README lists still reaches its (grouped) setting,
secrets stay out of reprs, and a webhook without a secret fails at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.settings import HttpSettings, Settings, TelegramSettings

# variable -> (path in Settings, value set, value expected)
ENVIRONMENT: dict[str, tuple[str, str, Any]] = {
    "ESURAT_DATA_DIR": ("storage.data_dir", "/srv/esurat", Path("/srv/esurat")),
    "ESURAT_DATABASE_URL": ("storage.database_url", "postgresql+asyncpg://u@db/esurat",
                            "postgresql+asyncpg://u@db/esurat"),
    "ESURAT_UPLOAD_MAX_BYTES": ("storage.upload_max_bytes", "5242880", 5 * 1024 * 1024),
    "ESURAT_PUBLIC_URL": ("http.public_url", "https://esurat.example", "https://esurat.example"),
    "ESURAT_HTTP_HOST": ("http.host", "0.0.0.0", "0.0.0.0"),
    "ESURAT_HTTP_PORT": ("http.port", "9000", 9000),
    "ESURAT_DEMO": ("demo", "true", True),
    "ESURAT_CITY_NAME": ("city_name", "Kota Contoh", "Kota Contoh"),
    "ESURAT_PAPER": ("paper", "F4", "F4"),
    "ESURAT_VERIFY_RATE_LIMIT_PER_MINUTE": ("verify_rate_limit_per_minute", "30", 30),
    "ESURAT_VERIFY_CACHE_SECONDS": ("verify_cache_seconds", "0", 0.0),
    "ESURAT_VERIFY_CHANGE_POLL_SECONDS": ("verify_change_poll_seconds", "2.5", 2.5),
    "ESURAT_OUTBOX_POLL_INTERVAL": ("outbox_poll_interval", "0.5", 0.5),
    "ESURAT_OUTBOX_SEND_TIMEOUT": ("outbox_send_timeout", "20", 20.0),
    "ESURAT_CLAIM_LEASE_SECONDS": ("claim_lease_seconds", "15", 15.0),
    "ESURAT_CLAIM_HEARTBEAT_SECONDS": ("claim_heartbeat_seconds", "4", 4.0),
    "TELEGRAM_BOT_TOKEN": ("telegram.bot_token", "123456:ABC", "123456:ABC"),
    "TELEGRAM_API_BASE": ("telegram.api_base", "http://127.0.0.1:8081", "http://127.0.0.1:8081"),
    "TELEGRAM_MODE": ("telegram.mode", "webhook", "webhook"),
    "TELEGRAM_WEBHOOK_SECRET": ("telegram.webhook_secret", "s3cret-token_1", "s3cret-token_1"),
    "ESURAT_TELEGRAM_CHAT_INTERVAL": ("telegram.chat_interval", "0.5", 0.5),
    "ESURAT_TELEGRAM_GROUP_INTERVAL": ("telegram.group_interval", "4", 4.0),
    "ESURAT_TELEGRAM_GLOBAL_PER_SECOND": ("telegram.global_per_second", "20", 20.0),
    "ESURAT_TELEGRAM_POLLING_TIMEOUT": ("telegram.polling_timeout", "30", 30),
    "ESURAT_TELEGRAM_REQUEST_TIMEOUT": ("telegram.request_timeout", "5", 5.0),
}


def value_at(settings: Settings, path: str) -> Any:
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ENVIRONMENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_every_variable_reaches_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, (_, raw, _) in ENVIRONMENT.items():
        monkeypatch.setenv(var, raw)
    settings = Settings()
    assert {var: value_at(settings, path) for var, (path, _, _) in ENVIRONMENT.items()} == {
        var: expected for var, (_, _, expected) in ENVIRONMENT.items()
    }


def test_the_same_variables_are_read_from_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("".join(f"{var}={raw}\n" for var, (_, raw, _) in ENVIRONMENT.items()))
    settings = Settings()
    for var, (path, _, expected) in ENVIRONMENT.items():
        assert value_at(settings, path) == expected, var


def test_defaults() -> None:
    settings = Settings()
    assert settings.storage.data_dir == Path("var") and settings.storage.database_url is None
    assert settings.storage.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.storage.effective_database_url.endswith("/var/esurat.sqlite3")
    assert (settings.http.host, settings.http.port, settings.http.public_url) == (
        "127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert settings.telegram.mode == "polling" and not settings.telegram.enabled and not settings.demo
    assert settings.storage.upload_max_bytes == 10 * 1024 * 1024


def test_secrets_stay_out_of_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:very-secret-token")
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "very-secret-header")
    settings = Settings()
    assert settings.telegram.enabled
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings.model_dump())


def test_an_empty_token_leaves_telegram_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert not Settings().telegram.enabled


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257])
def test_webhook_mode_without_a_usable_secret_fails_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                                                 secret: str | None) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    if secret is not None:
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings()
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramSettings(_env_file=None, bot_token="123456:ABC", mode="webhook", webhook_secret=secret)


def test_an_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_MODE", "hook")
    with pytest.raises(ValidationError, match="polling"):
        Settings()


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", "8101", "http://127.0.0.1:8101"),
    ("0.0.0.0", "8101", "http://127.0.0.1:8101"),  # every interface: reached here on the loopback address
    ("::", "9000", "http://127.0.0.1:9000"),
    ("::1", "9000", "http://[::1]:9000"),
    ("esurat.lan", "80", "http://esurat.lan"),
])
def test_without_a_public_url_it_is_derived_from_the_host_and_port(
        monkeypatch: pytest.MonkeyPatch, host: str, port: str, expected: str) -> None:
    monkeypatch.setenv("ESURAT_HTTP_HOST", host)
    monkeypatch.setenv("ESURAT_HTTP_PORT", port)
    assert Settings().http.public_url == expected
    assert HttpSettings(_env_file=None, host=host, port=int(port)).public_url == expected


def test_a_given_public_url_wins_over_the_port_and_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESURAT_HTTP_PORT", "8101")
    monkeypatch.setenv("ESURAT_PUBLIC_URL", "https://esurat.example/")
    assert Settings().http.public_url == "https://esurat.example"


def test_the_letters_qr_and_the_home_page_use_the_derived_url(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from bot.composition import build_services
    from bot.web import create_app
    from config.settings import StorageSettings
    from letters.making import LetterMaker
    from letters.pki import LocalCA
    from letters.signing import LocalCASigner
    from tests.support.letter_samples import formatted, letter_types
    from tests.support.letters import letter_spec
    from verification.keys import KeyStore

    settings = Settings(_env_file=None, http=HttpSettings(_env_file=None, port=8101),
                        storage=StorageSettings(_env_file=None, data_dir=tmp_path / "data"))
    maker = LetterMaker(settings, KeyStore(tmp_path / "keys"), LocalCASigner(LocalCA(tmp_path / "pki")))
    defn = letter_types()[0]
    made = maker.make_unsigned(letter_spec(defn, *formatted(defn), "470/001/BT/XI/2026"))
    assert made.qr_url.startswith("http://127.0.0.1:8101/v/")

    from db.migrate import upgrade

    settings.storage.ensure_dirs()
    upgrade(settings.storage.effective_database_url)
    with TestClient(create_app(build_services(settings)), base_url="http://127.0.0.1:8101") as client:
        home = client.get("/")
    assert home.status_code == 200 and "http://127.0.0.1:8101/v/" in home.text
    assert "127.0.0.1:8000" not in home.text


BOT_TOKENS = {"TELEGRAM_BOT_TOKEN": "123456:ABC", "WHATSAPP_TOKEN": "wa-token", "WHATSAPP_PHONE_NUMBER_ID": "1",
              "WHATSAPP_APP_SECRET": "app-secret", "WHATSAPP_VERIFY_TOKEN": "verify"}


@pytest.mark.parametrize("bot", ["telegram", "whatsapp"])
@pytest.mark.parametrize("public_url", [None, "http://localhost:8000", "http://127.0.0.2", "http://[::1]:8101",
                                        "http://0.0.0.0:8000"])
def test_a_loopback_public_url_with_a_bot_refuses_to_start(monkeypatch: pytest.MonkeyPatch, bot: str,
                                                           public_url: str | None) -> None:
    for var, value in BOT_TOKENS.items():
        if var.lower().startswith(bot):
            monkeypatch.setenv(var, value)
    if public_url is not None:
        monkeypatch.setenv("ESURAT_PUBLIC_URL", public_url)
    settings = Settings()
    problem = settings.startup_problem(demo=False)
    assert problem is not None and "ESURAT_PUBLIC_URL" in problem and "hanya dapat dibuka" in problem
    assert settings.startup_problem(demo=True) is None  # `esurat demo` is local by design


def test_a_reachable_public_url_or_no_bot_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().startup_problem(demo=False) is None  # no bot: the web pages only, loopback is fine
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("ESURAT_PUBLIC_URL", "https://esurat.palangkaraya.go.id")
    assert Settings().startup_problem(demo=False) is None
