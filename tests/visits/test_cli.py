"""`esurat kelurahan libur add|list`, `esurat kelurahan jadwal` and `esurat visit list` on the embedded database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "data"))
    for name in ("ESURAT_DATABASE_URL", "TELEGRAM_BOT_TOKEN", "WHATSAPP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    return cli


def test_holidays_hours_and_the_day_list(runner: CliRunner) -> None:
    added = runner.invoke(app, ["kelurahan", "libur", "add", "--tanggal", "2099-12-25", "--nama", "Hari Raya Natal"])
    assert added.exit_code == 0 and "dicatat" in added.output
    again = runner.invoke(app, ["kelurahan", "libur", "add", "--tanggal", "2099-12-25", "--nama", "Natal"])
    assert "sudah tercatat" in again.output
    own = runner.invoke(app, ["kelurahan", "libur", "add", "--tanggal", "2099-12-26", "--kelurahan", "menteng",
                              "--nama", "Acara kelurahan"])
    assert own.exit_code == 0
    listing = runner.invoke(app, ["kelurahan", "libur", "list", "--kelurahan", "menteng"]).output
    assert "2099-12-25 Hari Raya Natal" in listing and "2099-12-26 Acara kelurahan (Kelurahan Menteng)" in listing
    assert runner.invoke(app, ["kelurahan", "libur", "add", "--tanggal", "25-12-2099", "--nama", "x"]).exit_code == 2
    assert runner.invoke(app, ["kelurahan", "libur", "add", "--tanggal", "2099-12-25", "--kelurahan", "atlantis",
                               "--nama", "x"]).exit_code == 2
    hours = runner.invoke(app, ["kelurahan", "jadwal", "menteng", "--hari", "sabtu", "--buka", "08:00",
                                "--tutup", "12:00", "--kapasitas", "2"])
    assert hours.exit_code == 0 and "sabtu: 08:00-12:00, 30 menit, 2 warga" in hours.output
    day = runner.invoke(app, ["visit", "list", "--kelurahan", "menteng", "--tanggal", "2099-12-24"])
    assert day.exit_code == 0 and "Tidak ada kunjungan." in day.output
