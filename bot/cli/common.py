"""What every `esurat` command shares: the settings (a bad one stops the command with its message), the
database sessions, `KANAL=ID` options, and leaving with a message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config.settings import HttpSettings, Settings
from db.engine import run_with_sessions

T = TypeVar("T")

SlugArgument = Annotated[str, typer.Argument(
    metavar="KELURAHAN", help="Kode kelurahan, mis. bukit-tunggal (lihat: esurat kelurahan list)")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` on stderr and end the command with `code`."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def load_settings(*, host: str | None = None, port: int | None = None) -> Settings:
    """The settings from the environment and `.env`; `host`/`port` (the --host/--port options) win over
    ESURAT_HTTP_HOST/PORT, and the public URL, unless set, is derived from them. Creates the data directory."""
    try:
        http = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
        settings = Settings(http=HttpSettings(**http)) if http else Settings()  # type: ignore[arg-type]
    except ValidationError as e:  # e.g. TELEGRAM_MODE=webhook without TELEGRAM_WEBHOOK_SECRET
        fail(f"Pengaturan tidak valid: {e}")
    settings.storage.ensure_dirs()
    return settings


def with_sessions(settings: Settings, fn: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    return run_with_sessions(settings.storage.effective_database_url, fn)


def pairs(values: list[str] | None) -> dict[str, str]:
    """KANAL=ID options as {channel: id}; exits with a message on a malformed one."""
    found: dict[str, str] = {}
    for value in values or []:
        channel, sep, ident = value.partition("=")
        if not sep or not channel.strip():
            fail(f"Format harus KANAL=ID, bukan: {value}")
        found[channel.strip()] = ident.strip()
    return found
