"""The runner's parts: stored states read with `ConversationState.restore`, the upload limit from the
settings, effects dispatched by class; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import flows
from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from conversation.chats import EffectNotHandled
from db.models import Conversation, OutboxMessage
from tests.support.flows import Chat, seed_directory

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
MB = 1024 * 1024


@pytest.fixture
async def services(tmp_path: Path, db_url: str) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, storage=StorageSettings(
        data_dir=tmp_path / "data", database_url=db_url, upload_max_bytes=2 * MB))
    svc = build_services(settings, clock=lambda: NOW)
    yield svc
    await svc.aclose()


async def store_state(services: Services, chat_id: str, state: dict[str, Any]) -> None:
    async with services.sessions.begin() as s:
        s.add(Conversation(channel="web", chat_id=chat_id, state=state, updated_at=NOW))


async def replies(services: Services, chat_id: str) -> list[str]:
    async with services.sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id))
        return [str(r.payload["text"]) for r in rows]


async def test_the_upload_limit_comes_from_the_settings(services: Services) -> None:
    chat = Chat(services.catalogue, seed_directory(), now=NOW,
                upload_max_bytes=services.settings.storage.upload_max_bytes)
    chat.start()
    chat.choose_letter("sku")
    chat.fill(submit=False)
    chat.send("ubah ktp")
    await store_state(services, "warga-1", chat.state.model_dump(mode="json"))
    big = flows.FileReceived(file_ref="7", media_type="image/jpeg", size=3 * MB, is_photo=True)
    assert await services.conversation.handle("web", "warga-1", big)
    assert "melebihi batas 2 MB" in (await replies(services, "warga-1"))[-1]


async def test_a_garbled_stored_state_does_not_break_the_chat(services: Services) -> None:
    chat = Chat(services.catalogue, seed_directory(), now=NOW)
    chat.start()
    chat.choose_letter("sktm")
    chat.send("Siti Aminah")
    old = chat.state.model_dump(mode="json")
    await store_state(services, "warga-2", {**old, "step": "langkah_lama", "dari_versi_lama": True})
    assert await services.conversation.handle("web", "warga-2", flows.Text(text="halo"))
    assert flows.messages.resume(services.catalogue["sktm"].title) in (await replies(services, "warga-2"))[-1]
    async with services.sessions() as s:
        row = await s.get(Conversation, ("web", "warga-2"))
    assert row is not None and row.state["step"] == "resume" and "dari_versi_lama" not in row.state
    assert row.state["draft"]["fields"] == {"nama": "Siti Aminah"}


async def test_chat_states_alone_refuse_what_needs_the_lifecycle(services: Services) -> None:
    chats = services.conversation.chats
    async with services.sessions() as s:
        resident = await chats.resident(s, "web", "warga-3")
        submit = flows.SubmitRequest(kelurahan_slug="bukit-tunggal", letter_type="sku", fields={}, attachments={})
        for effect in (submit, flows.CancelRequest(request_id=1), flows.ShowStatus()):
            with pytest.raises(EffectNotHandled, match=type(effect).__name__):
                await chats.execute(s, resident, effect)
        await chats.execute(s, resident, flows.SaveProfile(profile={"nama": "Siti Aminah"}))
        assert resident.profile == {"nama": "Siti Aminah"} and resident.consent_at == NOW
