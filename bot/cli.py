"""`esurat` command line: run the service, migrate, administer kelurahan and staff."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config.settings import Settings
from db.engine import run_with_sessions
from db.migrate import upgrade

T = TypeVar("T")
app = typer.Typer(help="e-surat: surat keterangan kelurahan secara daring", no_args_is_help=True)
db_app = typer.Typer(help="Basis data")
kel_app = typer.Typer(help="Kelurahan (kop surat, penandatangan, grup moderasi)")
staff_app = typer.Typer(help="Petugas kelurahan")
app.add_typer(db_app, name="db")
app.add_typer(kel_app, name="kelurahan")
app.add_typer(staff_app, name="staff")


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as e:  # e.g. TELEGRAM_MODE=webhook without TELEGRAM_WEBHOOK_SECRET
        typer.echo(f"Pengaturan tidak valid: {e}", err=True)
        raise typer.Exit(2) from e
    settings.storage.ensure_dirs()
    return settings


def _with_sessions(settings: Settings, fn: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    return run_with_sessions(settings.storage.effective_database_url, fn)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    settings = _settings()
    upgrade(settings.storage.effective_database_url)
    typer.echo("Basis data mutakhir.")


def _start_logging(settings: Settings) -> None:
    """One logging setup for the whole process, masking personal data and the secrets (`bot.logging_setup`)."""
    from bot.logging_setup import configure_logging

    secrets = [s.get_secret_value() for s in (settings.telegram.bot_token, settings.telegram.webhook_secret) if s]
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)


@app.command()
def run() -> None:
    """Start the service (HTTP + the bots whose tokens are set)."""
    from bot.server import serve

    settings = _settings()
    _start_logging(settings)
    upgrade(settings.storage.effective_database_url)
    serve(settings, demo=False)


@app.command()
def demo() -> None:
    """Start the service on the embedded database with demo staff and the local web chat."""
    from bot.server import serve

    settings = _settings()
    _start_logging(settings)
    upgrade(settings.storage.effective_database_url)
    serve(settings, demo=True)


@app.command()
def check() -> None:
    """Check every stored letter PDF against its SHA-256 and every attachment against its file."""
    from db.integrity import check_files

    settings = _settings()
    storage = settings.storage
    report = _with_sessions(settings, lambda s: check_files(s, storage.letters_dir, storage.uploads_dir))
    for problem in report.problems:
        typer.echo(problem.line())
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)


@kel_app.command("list")
def kelurahan_list() -> None:
    from db.directory import list_kelurahan, moderation_chats_by_kelurahan
    from db.models import Kelurahan

    async def load(s: async_sessionmaker[AsyncSession]) -> tuple[list[Kelurahan], dict[int, list[tuple[str, str]]]]:
        return await list_kelurahan(s), await moderation_chats_by_kelurahan(s)

    rows, chats = _with_sessions(_settings(), load)
    for k in rows:
        chat = "".join(f" {channel}={chat_id}" for channel, chat_id in chats.get(k.id, []))
        mark = " [contoh]" if k.placeholder else ""
        typer.echo(f"{k.slug:20} {k.unit_code:4} {k.kecamatan:12} {k.name}{chat}{mark}")


@kel_app.command("set")
def kelurahan_set(
    slug: str,
    name: Annotated[str | None, typer.Option(help="Nama kelurahan (di percakapan dan kop surat)")] = None,
    telegram_chat_id: Annotated[int | None, typer.Option()] = None,
    whatsapp_group: Annotated[str | None, typer.Option()] = None,
    address: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    postal_code: Annotated[str | None, typer.Option()] = None,
    signatory_name: Annotated[str | None, typer.Option()] = None,
    signatory_title: Annotated[str | None, typer.Option()] = None,
    signatory_rank: Annotated[str | None, typer.Option()] = None,
    signatory_nip: Annotated[str | None, typer.Option()] = None,
    signatory_delegated: Annotated[bool | None, typer.Option()] = None,
    numbering_pattern: Annotated[str | None, typer.Option()] = None,
    unit_code: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Set a kelurahan's name, moderation chat and letterhead data."""
    changes = {k: v for k, v in locals().items() if k != "slug" and v is not None}
    from db.directory import DirectoryError, update_kelurahan

    try:
        kel = _with_sessions(_settings(), lambda s: update_kelurahan(s, slug, **changes))
    except DirectoryError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from e
    typer.echo(f"Kelurahan {kel.name} diperbarui: {', '.join(sorted(changes)) or '-'}")


@staff_app.command("add")
def staff_add(
    slug: str,
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option()] = "operator",
    telegram_user_id: Annotated[int | None, typer.Option()] = None,
    whatsapp_phone: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Register a staff member of a kelurahan."""
    from db.directory import DirectoryError, add_staff

    try:
        st = _with_sessions(_settings(), lambda s: add_staff(
            s, slug, name=name, role=role, telegram_user_id=telegram_user_id, whatsapp_phone=whatsapp_phone,
        ))
    except DirectoryError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from e
    typer.echo(f"Petugas #{st.id} {st.name} ({st.role}) ditambahkan ke {slug}")


@staff_app.command("list")
def staff_list(slug: str) -> None:
    from db.directory import list_staff, staff_identities_of
    from db.models import Staff

    async def load(s: async_sessionmaker[AsyncSession]) -> tuple[list[Staff], dict[int, dict[str, str]]]:
        return await list_staff(s, slug), await staff_identities_of(s, slug)

    rows, identities = _with_sessions(_settings(), load)
    for st in rows:
        demo = " [demo]" if st.demo else ""
        ids = dict(identities.get(st.id, {}))
        known = f"tg={ids.pop('telegram', '-')} wa={ids.pop('whatsapp', '-')}"
        others = "".join(f" {channel}={external_id}" for channel, external_id in sorted(ids.items()))
        typer.echo(f"#{st.id:<4} {st.role:10} {st.name} {known}{others}{demo}")


keys_app = typer.Typer(help="Kunci segel (tanda tangan kode QR)")
letter_app = typer.Typer(help="Surat yang telah terbit")
app.add_typer(keys_app, name="keys")
app.add_typer(letter_app, name="letter")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new active seal key; old keys stay published so old letters still verify."""
    from verification.keys import KeyStore

    key = KeyStore(_settings().storage.keys_dir).rotate()
    typer.echo(f"Kunci aktif baru: {key.kid}")


@keys_app.command("list")
def keys_list() -> None:
    from verification.keys import KeyStore

    store = KeyStore(_settings().storage.keys_dir)
    active = store.active().kid
    for key in store.keys():
        typer.echo(f"{key.kid}{'  (aktif)' if key.kid == active else ''}")


@letter_app.command("revoke")
def letter_revoke(
    number: str,
    reason: Annotated[str, typer.Option(help="Alasan pencabutan (wajib)")],
) -> None:
    """Revoke an issued letter by its number; its verification page then shows DICABUT."""
    from bot.composition import build_services
    from db.models import Letter
    from lifecycle.actors import Actor
    from lifecycle.errors import DomainError

    settings = _settings()
    upgrade(settings.storage.effective_database_url)

    async def run() -> Letter:
        services = build_services(settings)
        try:
            return await services.issuing.revoke(number, Actor.system(), reason)
        finally:
            await services.aclose()

    try:
        letter = asyncio.run(run())
    except DomainError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from e
    typer.echo(f"Surat {letter.number} dicabut: {letter.revoked_reason}")
