"""WhatsApp settings: the variables reach their settings, WhatsApp is on only with a token and a phone number
id, and it refuses to start without the app secret (signatures) or the verify token (subscription)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import Settings

ENVIRONMENT = {
    "WHATSAPP_TOKEN": ("token", "EAAG-token"),
    "WHATSAPP_PHONE_NUMBER_ID": ("phone_number_id", "1098765432"),
    "WHATSAPP_APP_SECRET": ("app_secret", "app-secret"),
    "WHATSAPP_VERIFY_TOKEN": ("verify_token", "verify-me"),
    "WHATSAPP_API_BASE": ("api_base", "http://127.0.0.1:9999/v21.0"),
    "ESURAT_WHATSAPP_TEMPLATE_APPROVED": ("template_approved", "kel_disetujui"),
    "ESURAT_WHATSAPP_TEMPLATE_LANGUAGE": ("template_language", "en"),
}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ENVIRONMENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_every_variable_reaches_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, (_, value) in ENVIRONMENT.items():
        monkeypatch.setenv(var, value)
    wa = Settings().whatsapp
    for var, (name, value) in ENVIRONMENT.items():
        got = getattr(wa, name)
        assert (got.get_secret_value() if hasattr(got, "get_secret_value") else got) == value, var
    assert wa.enabled
    assert "EAAG-token" not in repr(wa) and "app-secret" not in repr(wa)


def test_off_without_a_token_or_a_phone_number_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Settings().whatsapp.enabled
    monkeypatch.setenv("WHATSAPP_TOKEN", "EAAG-token")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "s")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "v")
    assert not Settings().whatsapp.enabled
    assert Settings().whatsapp.api_base == "https://graph.facebook.com/v21.0"


@pytest.mark.parametrize("missing", ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"])
def test_enabled_without_a_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for var in ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        monkeypatch.setenv(var, ENVIRONMENT[var][1])
    monkeypatch.setenv(missing, "")
    with pytest.raises(ValidationError, match=missing):
        Settings()
    env = {"PATH": "/usr/bin:/bin", "WHATSAPP_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1",
           "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", missing: "", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from bot.cli import app; app()", "run"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert missing in done.stdout + done.stderr and "Traceback" not in done.stderr
