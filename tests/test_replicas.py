"""Two replicas (`esurat run`, Telegram webhook mode) over one PostgreSQL database and one data directory, as
docker-compose.yml runs them (#16): a stream of interleaved updates to both, some of them sent to both (Telegram
retries), several chats at once, is handled exactly once, and every reply reaches the chat once and in the order
it was written to the outbox, although both replicas' inbox workers and outbox senders run at once.

Each chat answers in bursts, without waiting for the replies (each update posted once the previous one of its
chat was accepted, as Telegram does): its updates alternate between the replicas and every third goes to both
at the same moment. What the chat should have reached is known from the conversation engine (pure): the
stored state must be the engine's after exactly these inputs, once each."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import flows
from bot.telegram.keyboards import to_html
from db.models import Conversation, InboundUpdate, OutboxMessage, ProcessedUpdate
from tests.dbfixtures import DatabaseFactory, Factories
from tests.fakes.telegram_api import FakeTelegram
from tests.support.flows import ANSWERS, Chat, seed_directory
from tests.support.replicas import TOKEN, ServiceConfig, ServiceProcess, post_update, running_replicas

CHATS = 8
FIRST_CHAT = 7_300_001
# Typed answers only (their message ids are known before the bot replies): greeting, consent, kelurahan,
# letter and "lanjut" by their numbers, then the SKTM questions up to the first choice of the form.
FIRST_BURST = ["/start", "1", "bukit tunggal", "1", "1", ANSWERS["nama"], ANSWERS["nik"], ANSWERS["tempat_lahir"],
               ANSWERS["tanggal_lahir"]]
SECOND_BURST = [ANSWERS["agama"], ANSWERS["status_perkawinan"], ANSWERS["pekerjaan"], ANSWERS["kewarganegaraan"]]
PRESSED = "Perempuan"  # between the bursts: the jenis kelamin button, once the question has arrived
SETTLE_S = 30.0


@pytest.fixture
def pg_factory(db_factories: Factories) -> DatabaseFactory:
    """PostgreSQL only: skipped without ESURAT_TEST_POSTGRES_URL (made outside the event loop: it migrates)."""
    return db_factories.get("postgres")


@pytest.fixture
async def pg_url(pg_factory: DatabaseFactory) -> str:
    return await pg_factory.fresh()


class Stream:
    """One chat's updates, posted in order to the replicas in turn; every third also to the other at once."""

    def __init__(self, tg: FakeTelegram, http: aiohttp.ClientSession, replicas: list[ServiceProcess],
                 chat: int) -> None:
        self.tg, self.http, self.replicas, self.chat = tg, http, replicas, chat
        self.posted: list[dict[str, Any]] = []
        self.inputs: list[flows.Inbound] = []

    async def post(self, update: dict[str, Any], inbound: flows.Inbound) -> None:
        n = len(self.posted)
        first, other = self.replicas[(self.chat + n) % 2], self.replicas[(self.chat + n + 1) % 2]
        targets = [first, other] if n % 3 == 2 else [first]
        statuses = await asyncio.gather(*(post_update(self.http, r.webhook_url, update) for r in targets))
        assert set(statuses) == {200}, statuses
        self.posted.append(update)
        self.inputs.append(inbound)

    async def burst(self, texts: list[str]) -> None:
        for text in texts:
            inbound = flows.Command(name="start") if text == "/start" else flows.Text(text=text)
            await self.post(self.tg.user_sends_text(self.chat, text), inbound)

    async def press(self, title: str) -> None:
        message = self.tg.bot_messages(self.chat)[-1]
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if b["text"] == title)
        update = self.tg.user_presses(self.chat, self.chat, message["message_id"], data)
        await self.post(update, flows.ChoiceMade(value=data.removeprefix("c:")))

    async def run(self, engine: AsyncEngine) -> None:
        await self.burst(FIRST_BURST)
        await settled(engine, self.tg, self.chat)  # the question with the buttons has arrived
        await self.press(PRESSED)
        await self.burst(SECOND_BURST)
        # a late retry of the first update, long handled: ignored
        assert await post_update(self.http, self.replicas[0].webhook_url, self.posted[0]) == 200


async def chat_rows(engine: AsyncEngine, chat: int) -> list[tuple[str, dict[str, Any]]]:
    """(status, payload) of the chat's Telegram outbox rows in the order they were written."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(OutboxMessage.status, OutboxMessage.payload).where(
            OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat)).order_by(OutboxMessage.id))).all()
    return [(str(status), dict(payload)) for status, payload in rows]


async def settled(engine: AsyncEngine, tg: FakeTelegram, chat: int) -> None:
    """Every update posted for the chat was handled and every reply written for it reached the fake."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        async with engine.connect() as conn:
            pending = (await conn.execute(select(InboundUpdate.id).where(
                InboundUpdate.chat_key == str(chat), InboundUpdate.status == "pending"))).first()
        rows = await chat_rows(engine, chat)
        if pending is None and rows and all(s == "sent" for s, _ in rows) and len(tg.bot_messages(chat)) >= len(rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"chat {chat} not settled after {SETTLE_S}s: {await chat_rows(engine, chat)}")


def engine_state(inputs: list[flows.Inbound]) -> tuple[flows.ConversationState, int]:
    """The conversation engine's state after these inputs, once each, and how many messages it said."""
    chat = Chat(flows.load_catalogue(), seed_directory())
    said = sum(len([e for e in chat.send(i) if isinstance(e, flows.Reply | flows.AskFile)]) for i in inputs)
    return chat.state, said


async def test_two_replicas_handle_each_update_once_and_deliver_each_reply_once_in_order(
        tmp_path: Path, pg_url: str) -> None:
    engine = create_async_engine(pg_url)
    try:
        async with FakeTelegram(token=TOKEN) as tg:
            tg.queue_updates = False  # this test is Telegram's side of the webhook: it posts every update
            configs = [ServiceConfig(tmp_path / "data", pg_url, tg.base_url, mode="webhook", preload=True,
                                     outbox_poll=0.02) for _ in range(2)]
            async with running_replicas(configs) as replicas, aiohttp.ClientSession() as http:
                streams = [Stream(tg, http, replicas, FIRST_CHAT + i) for i in range(CHATS)]
                await asyncio.gather(*(s.run(engine) for s in streams))
                for s in streams:
                    await settled(engine, tg, s.chat)
            assert not [r.log_tail() for r in replicas if r.tracebacks()]
            await check(engine, tg, streams)
    finally:
        await engine.dispose()


async def check(engine: AsyncEngine, tg: FakeTelegram, streams: list[Stream]) -> None:
    posted = sorted(str(u["update_id"]) for s in streams for u in s.posted)
    async with engine.connect() as conn:
        processed = sorted((await conn.scalars(select(ProcessedUpdate.update_id).where(
            ProcessedUpdate.channel == "telegram"))).all())
        inbox = sorted((await conn.execute(select(InboundUpdate.update_id, InboundUpdate.status).where(
            InboundUpdate.channel == "telegram"))).all())
    assert processed == posted  # one processed_update row per update, for every update
    assert inbox == [(u, "done") for u in posted]  # one inbox row per update, handled
    for s in streams:
        expected, said = engine_state(s.inputs)
        async with engine.connect() as conn:
            stored = await conn.scalar(select(Conversation.state).where(
                Conversation.channel == "telegram", Conversation.chat_id == str(s.chat)))
        state = flows.ConversationState.model_validate(stored)
        assert (state.step, state.consent, state.draft) == (expected.step, expected.consent, expected.draft), s.chat
        rows = await chat_rows(engine, s.chat)
        assert len(rows) == said  # a reply per message the engine said: no update handled twice or skipped
        assert {status for status, _ in rows} == {"sent"}
        sent = [c.params.get("text") for c in tg.calls if c.ok and c.method == "sendMessage"
                and c.params.get("chat_id") == s.chat]
        assert sent == [to_html(payload["text"]) for _, payload in rows]  # each once, in the outbox's order
    assert not tg.unhandled
