"""Starting the service (`run`, `demo`), migrating (`db upgrade`) and checking the stored files (`check`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import fail, load_settings, with_sessions
from config.settings import Settings
from db.migrate import upgrade

db_app = typer.Typer(help="Basis data", no_args_is_help=True)

HostOption = Annotated[str | None, typer.Option(
    help="Alamat yang didengarkan (menggantikan ESURAT_HTTP_HOST; bawaan 127.0.0.1)")]
PortOption = Annotated[int | None, typer.Option(
    min=1, max=65535, help="Port HTTP (menggantikan ESURAT_HTTP_PORT; bawaan 8000)")]
WorkersOption = Annotated[int, typer.Option(
    min=1, max=64, help="Banyaknya proses pelayan pada port yang sama (lebih dari 1: bot Telegram harus mode webhook)")]


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Terapkan semua migrasi basis data."""
    settings = load_settings()
    upgrade(settings.storage.effective_database_url)
    typer.echo("Basis data mutakhir.")


def _start_logging(settings: Settings) -> None:
    """One logging setup for the whole process, masking personal data and the secrets (`bot.logging_setup`)."""
    from bot.logging_setup import configure_logging

    tg, wa = settings.telegram, settings.whatsapp
    secrets = [s.get_secret_value() for s in (tg.bot_token, tg.webhook_secret, wa.token, wa.app_secret,
                                              wa.verify_token) if s]
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)


def _start(*, demo: bool, host: str | None, port: int | None, workers: int = 1) -> None:
    from bot.server import StartupRefused, serve, serve_workers

    settings = load_settings(host=host, port=port)
    _start_logging(settings)
    upgrade(settings.storage.effective_database_url)
    try:
        if workers > 1:
            serve_workers(settings, workers)
        else:
            serve(settings, demo=demo)
    except StartupRefused as e:
        fail(f"e-surat tidak dijalankan. {e}")


def run(host: HostOption = None, port: PortOption = None, workers: WorkersOption = 1) -> None:
    """Jalankan layanan (HTTP dan bot yang token-nya diatur); migrasi diterapkan lebih dulu."""
    _start(demo=False, host=host, port=port, workers=workers)


def demo(host: HostOption = None, port: PortOption = None) -> None:
    """Jalankan layanan untuk dicoba: petugas demo dan obrolan web lokal di /demo (tanpa login!)."""
    _start(demo=True, host=host, port=port)


def check() -> None:
    """Periksa setiap PDF surat terhadap SHA-256-nya dan setiap lampiran terhadap berkasnya (keluar 1 bila rusak)."""
    from db.integrity import check_files

    settings = load_settings()
    storage = settings.storage
    report = with_sessions(settings, lambda s: check_files(s, storage.letters_dir, storage.uploads_dir))
    for problem in report.problems:
        typer.echo(problem.line())
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)
