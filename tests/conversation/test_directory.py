"""One source of truth for the kelurahan: the chat reads the `kelurahan` table, so a kelurahan that an
operator renames with the CLI (another process) or adds is found in the chat, once the chat's copy of
the directory is older than `directory_refresh_seconds`; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

import flows
from bot.cli import app
from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from conversation.chats import ChatStates
from conversation.directory import DirectorySource
from conversation.service import ConversationService
from db.models import Kelurahan, OutboxMessage

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
MAX_AGE = 30.0


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def services(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Services]:
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "cli-data"))  # the CLI's settings: the same database
    monkeypatch.setenv("ESURAT_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    svc = build_services(settings, clock=lambda: NOW)
    yield svc
    await svc.aclose()


def chat_service(services: Services, ticks: Ticks) -> ConversationService:
    """The service's conversation, with a directory source on the test's clock."""
    chats = ChatStates(services.catalogue, DirectorySource(MAX_AGE, monotonic=ticks), services.clock,
                       upload_max_bytes=services.settings.storage.upload_max_bytes)
    return ConversationService(services.sessions, chats, services.lifecycle, services.clock)


async def cli(*args: str) -> Result:
    """`esurat ...` as an operator runs it: its own settings, engine and event loop (hence a thread)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def said(services: Services, chat: str) -> str:
    """The last reply to `chat`."""
    async with services.sessions() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == chat)
                             .order_by(OutboxMessage.id.desc()).limit(1))
    assert row is not None
    return str(row.payload["text"])


async def test_a_kelurahan_renamed_with_the_cli_is_found_in_the_chat(services: Services) -> None:
    ticks = Ticks()
    conversation = chat_service(services, ticks)
    for text in ("halo", "ya"):  # greeting, consent: the directory is read
        await conversation.handle("web", "warga-1", flows.Text(text=text))

    res = await cli("kelurahan", "set", "bukit-tunggal", "--name", "Tjilik Riwut")
    assert res.exit_code == 0, res.output
    listing = await cli("kelurahan", "list")
    assert any(line.startswith("bukit-tunggal") and "Tjilik Riwut" in line for line in listing.output.splitlines())

    ticks.now += MAX_AGE - 1  # the chat's copy is still fresh: the new name is not known yet
    await conversation.handle("web", "warga-1", flows.Text(text="Tjilik Riwut"))
    assert flows.messages.NOT_A_PLACE in await said(services, "warga-1")

    ticks.now += 2  # older than directory_refresh_seconds: read again
    await conversation.handle("web", "warga-1", flows.Text(text="Tjilik Riwut"))
    assert flows.messages.ask_letter("Tjilik Riwut") in await said(services, "warga-1")
    async with services.sessions() as s:
        state = await conversation.chats.directories.current(s)
    assert state.get("bukit-tunggal") == flows.Kelurahan("Jekan Raya", "Tjilik Riwut", "bukit-tunggal")


async def test_the_composed_service_reads_the_table(services: Services) -> None:
    """`build_services` wires the chat to the table too (read at the first message)."""
    res = await cli("kelurahan", "set", "menteng", "--name", "Menteng Baru")
    assert res.exit_code == 0, res.output
    for text in ("halo", "ya", "menteng baru"):
        await services.conversation.handle("web", "warga-2", flows.Text(text=text))
    assert flows.messages.ask_letter("Menteng Baru") in await said(services, "warga-2")


async def test_a_kelurahan_added_to_the_table_is_offered(services: Services) -> None:
    ticks = Ticks()
    conversation = chat_service(services, ticks)
    for text in ("halo", "ya"):
        await conversation.handle("web", "warga-3", flows.Text(text=text))
    async with services.sessions.begin() as s:
        s.add(Kelurahan(slug="kalampangan-baru", name="Kalampangan Baru", kecamatan="Sabangau", unit_code="KLB"))
    ticks.now += MAX_AGE
    await conversation.handle("web", "warga-3", flows.ChoiceMade(value="Sabangau"))
    reply = await said(services, "warga-3")
    assert "7. Kalampangan Baru" in reply  # after the six of the seed, in the kecamatan's list


async def test_the_cli_refuses_an_empty_name(services: Services) -> None:
    res = await cli("kelurahan", "set", "bukit-tunggal", "--name", "  ")
    assert res.exit_code == 2 and "Nama kelurahan" in res.output
