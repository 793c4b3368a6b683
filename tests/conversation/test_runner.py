"""The channel-agnostic runner: state kept between messages, concurrent first messages of a new
chat, and a redelivered update, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import ColumnElement, func, select

import flows
from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from db.models import Base, Conversation, OutboxMessage, ProcessedUpdate, Resident
from tests.support.lifecycle import FixedClock


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    storage = StorageSettings(data_dir=tmp_path / "data", database_url=db_url)
    svc = build_services(Settings(_env_file=None, storage=storage), clock=FixedClock())
    yield svc
    await svc.aclose()


async def count(services: Services, model: type[Base], *where: ColumnElement[bool]) -> int:
    async with services.sessions() as s:
        result = await s.execute(select(func.count()).select_from(model).where(*where))
        return int(result.scalar_one())


async def test_concurrent_first_messages_of_a_new_chat_are_both_handled(services: Services) -> None:
    results = await asyncio.gather(*(
        services.conversation.handle("web", "chat-1", flows.Text(text=t), update_id=f"u{i}")
        for i, t in enumerate(["halo", "selamat pagi", "permisi"])
    ))
    assert results == [True, True, True]
    assert await count(services, Resident) == 1
    assert await count(services, Conversation) == 1
    assert await count(services, ProcessedUpdate) == 3
    assert await count(services, OutboxMessage, OutboxMessage.chat_id == "chat-1") >= 3


async def test_state_survives_between_messages_and_redelivery_is_ignored(services: Services) -> None:
    conv = services.conversation
    assert await conv.handle("web", "chat-2", flows.Text(text="halo"), update_id="a")
    assert await conv.handle("web", "chat-2", flows.ChoiceMade(value="ya"), update_id="b")
    sent = await count(services, OutboxMessage)
    assert not await conv.handle("web", "chat-2", flows.ChoiceMade(value="ya"), update_id="b")
    assert await count(services, OutboxMessage) == sent
    async with services.sessions() as s:
        row = await s.get(Conversation, ("web", "chat-2"))
    assert row is not None
    state = flows.ConversationState.model_validate(row.state)
    assert state.consent and state.step.value == "kecamatan"
