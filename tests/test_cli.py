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
