"""The `esurat` CLI on the embedded database: migrate, list and set kelurahan, add, list, deactivate and
remove staff, list, show and revoke letters, start the service on a port."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.logging_setup import unconfigure_logging


def invoke_run(runner: CliRunner) -> Result:
    """`esurat run` through the CLI, with the root logger as it was afterwards (run configures logging)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        return runner.invoke(app, ["run"])
    finally:
        unconfigure_logging()
        root.handlers[:] = handlers
        root.setLevel(level)

def test_admin_commands(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    listing = runner.invoke(app, ["kelurahan", "list"])
    assert listing.exit_code == 0
    header, *rows = listing.output.strip().splitlines()
    assert len(rows) == 30 and header.split()[:3] == ["KODE", "UNIT", "KECAMATAN"]
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
            uploads = [await services.uploads.store(s, b"%PDF-1.4 upload " + bytes([n]) * 64 + b"\n%%EOF\n", "ktp",
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
    res = invoke_run(runner)
    assert res.exit_code == 0, res.output
    assert seen == [False]
    out = res.stderr
    assert '"logger": "uvicorn.error"' in out and "/bot[token]/getMe from [telepon]" in out
    assert '"msg": "NIK 6271********0001"' in out
    assert token not in out and "AAFake" not in out and "6271034507900001" not in out


def test_the_same_staff_member_is_not_added_twice(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Rina", "--telegram-user-id", "555"])
    assert first.exit_code == 0, first.output
    for again in (["--name", "Rina", "--telegram-user-id", "555"],
                  ["--name", "Rina Lain", "--identity", "Telegram=555"],  # the channel's spelling
                  ["--name", "Rina Lain", "--identity", " telegram = 555 "]):
        res = runner.invoke(app, ["staff", "add", "bukit-tunggal", *again])
        assert res.exit_code == 2, (again, res.output)
        assert "sudah terdaftar di Kelurahan Bukit Tunggal sebagai petugas #1 Rina" in res.output
    res = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", " rina "])  # same name, no account
    assert res.exit_code == 2 and "Petugas bernama Rina sudah terdaftar" in res.output, res.output
    res = runner.invoke(app, ["staff", "add", "menteng", "--name", "Rina", "--telegram-user-id", "555"])
    assert res.exit_code == 2 and "sudah dipakai petugas #1 Rina di Kelurahan Bukit Tunggal" in res.output
    listing = runner.invoke(app, ["staff", "list", "bukit-tunggal"]).output
    assert listing.count("Rina") == 1, listing


@pytest.fixture
def issued(runner: CliRunner, tmp_path: Path) -> tuple[list[str], int]:
    """Two letters issued in bukit-tunggal (their numbers), approved by a staff member (their id)."""
    import asyncio

    from bot.composition import build_services
    from config.settings import Settings, StorageSettings
    from tests.lifecycle.test_issuing import FIELDS
    from tests.support.lifecycle import make_resident, make_staff

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    services = build_services(Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data")))

    async def issue_two() -> tuple[list[str], int]:
        resident, staff = await make_resident(services.sessions), await make_staff(services.sessions, name="Rina")
        numbers = []
        for _ in range(2):
            req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                      fields=FIELDS, attachment_ids=[])
            await services.lifecycle.approve(req.id, staff)
            numbers.append((await services.issuing.issue(req.id)).number)
        await services.aclose()
        assert staff.id is not None
        return numbers, staff.id

    return asyncio.run(issue_two())


def test_staff_deactivate_and_remove(runner: CliRunner, issued: tuple[list[str], int]) -> None:
    _, acted = issued
    added = runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Budi", "--telegram-user-id", "777"])
    assert added.exit_code == 0, added.output
    budi = int(added.output.split("#")[1].split()[0])

    res = runner.invoke(app, ["staff", "remove", str(acted)])
    assert res.exit_code == 2 and f"esurat staff deactivate {acted}" in res.output, res.output
    res = runner.invoke(app, ["staff", "deactivate", str(acted)])
    assert res.exit_code == 0 and "Rina dinonaktifkan" in res.output, res.output
    res = runner.invoke(app, ["staff", "remove", str(budi)])
    assert res.exit_code == 0 and "Budi dihapus" in res.output, res.output
    assert runner.invoke(app, ["staff", "remove", str(budi)]).exit_code == 2  # gone
    listing = runner.invoke(app, ["staff", "list", "bukit-tunggal"]).output
    assert "Budi" not in listing and "Rina" in listing and "[nonaktif]" in listing
    # Budi's account is free again; Rina's (deactivated) name may be given to someone new
    assert runner.invoke(app, ["staff", "add", "bukit-tunggal", "--name", "Budi", "--telegram-user-id", "777"]
                         ).exit_code == 0
    assert runner.invoke(app, ["staff", "activate", str(acted)]).exit_code == 0
    assert "[nonaktif]" not in runner.invoke(app, ["staff", "list", "bukit-tunggal"]).output


def test_letter_list_show_and_revoke_by_an_operator(runner: CliRunner, issued: tuple[list[str], int],
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import getpass
    import sqlite3

    numbers, _ = issued
    listing = runner.invoke(app, ["letter", "list"])
    assert listing.exit_code == 0, listing.output
    header, *rows = listing.output.strip().splitlines()
    assert header.split() == ["NOMOR", "JENIS", "KELURAHAN", "STATUS", "TERBIT", "PEMEGANG"]
    assert [row.split()[0] for row in rows] == numbers[::-1]  # the newest first
    assert all(row.split()[1:] == ["sktm", "Bukit", "Tunggal", "berlaku", row.split()[5], "SITI", "A***"]
               for row in rows), rows
    assert runner.invoke(app, ["letter", "list", "--kelurahan", "menteng"]).output.strip() == (
        "Belum ada surat yang terbit.")

    res = runner.invoke(app, ["letter", "revoke", numbers[0], "--reason", "Diterbitkan ganda", "--by", "Budi Santoso"])
    assert res.exit_code == 0 and "dicabut oleh Budi Santoso" in res.output, res.output
    monkeypatch.setattr(getpass, "getuser", lambda: "adminkel")
    assert runner.invoke(app, ["letter", "revoke", numbers[1], "--reason", "Salah data"]).exit_code == 0
    with sqlite3.connect(tmp_path / "data" / "esurat.sqlite3") as db:
        actors = [actor for (actor,) in db.execute("SELECT actor FROM audit_event WHERE action = 'revoke' ORDER BY id")]
    assert actors == ["operator:Budi Santoso", "operator:adminkel"]

    again = runner.invoke(app, ["letter", "revoke", numbers[0], "--reason", "lagi"])
    assert again.exit_code == 2 and f"Surat {numbers[0]} sudah dicabut pada" in again.output, again.output
    assert "berstatus" not in again.output and "revoked" not in again.output
    assert "'revoke'" not in runner.invoke(app, ["letter", "revoke", numbers[0], "--reason", " "]).output

    shown = runner.invoke(app, ["letter", "show", numbers[0]])
    assert shown.exit_code == 0, shown.output
    for expected in (f"Nomor:           {numbers[0]}", "Jenis:           Surat Keterangan Tidak Mampu", "Bukit Tunggal",
                     "DICABUT pada", "oleh Budi Santoso: Diterbitkan ganda", "Halaman periksa: http://127.0.0.1:8000/v/",
                     "dibuat oleh warga", "disetujui oleh petugas #1 Rina", "dicabut oleh Budi Santoso"):
        assert expected in shown.output, (expected, shown.output)
    from tests.lifecycle.test_issuing import FIELDS
    assert str(FIELDS["nik"]) not in shown.output and "(NIK " in shown.output, shown.output
    assert runner.invoke(app, ["letter", "list", "--revoked"]).output.count("DICABUT") == 2
    missing = runner.invoke(app, ["letter", "show", "999/XX"])
    assert missing.exit_code == 2 and "tidak ditemukan" in missing.output


def test_every_option_and_argument_has_help(runner: CliRunner) -> None:
    from typing import Any

    import typer.main

    def walk(command: Any, path: str) -> list[str]:  # a click command (typer's own copy of click)
        missing = [f"{path} {p.name}" for p in command.params
                   if p.name not in ("help", "install_completion", "show_completion") and not getattr(p, "help", None)]
        if not command.help:
            missing.append(f"{path} (the command)")
        for name, sub in getattr(command, "commands", {}).items():
            missing += walk(sub, f"{path} {name}")
        return missing

    assert walk(typer.main.get_command(app), "esurat") == []


@pytest.mark.parametrize("command", ["run", "demo"])
def test_run_and_demo_take_the_port_and_host(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    import bot.server
    from config.settings import Settings

    monkeypatch.delenv("ESURAT_PUBLIC_URL", raising=False)
    monkeypatch.setenv("ESURAT_HTTP_PORT", "8000")
    seen: list[tuple[Settings, bool]] = []
    monkeypatch.setattr(bot.server, "serve", lambda settings, *, demo: seen.append((settings, demo)))
    res = runner.invoke(app, [command, "--port", "8101", "--host", "0.0.0.0"])
    assert res.exit_code == 0, res.output
    ((settings, demo),) = seen
    assert demo is (command == "demo")
    assert (settings.http.host, settings.http.port, settings.http.public_url) == (
        "0.0.0.0", 8101, "http://127.0.0.1:8101")
    assert runner.invoke(app, [command, "--port", "0"]).exit_code == 2


def test_run_with_a_bot_and_a_loopback_public_url_refuses_to_start(runner: CliRunner,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:


    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("ESURAT_HTTP_PORT", "8101")
    monkeypatch.delenv("ESURAT_PUBLIC_URL", raising=False)
    res = invoke_run(runner)
    assert res.exit_code == 2, res.output
    assert "ESURAT_PUBLIC_URL" in res.stderr
    assert "http://127.0.0.1:8101 hanya dapat dibuka dari komputer ini" in res.stderr
