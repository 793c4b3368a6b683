"""Support for bench/bench_telegram_load.py and the crash harness: a FakeTelegram whose waits cost nothing
while nothing relevant happens, the bench's own reads of the service's database, and the databases.

The stock `FakeTelegram.wait_until` wakes every waiter on every call the fake records; with a few hundred
concurrent residents that alone would eat the CPU of the bench process. `LoadFake` keeps waiters per chat
and resolves them from the calls recorded since the last change, so a wait costs O(1) per relevant event.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import flows
from db.models import Conversation, OutboxMessage
from tests.fakes.telegram_api import FakeTelegram, WaitTimeout

BENCH_APP = "esurat-bench"  # the application_name of the bench's own PostgreSQL connections
STEP_TIMEOUT = 180.0  # seconds; generous: with hundreds of residents an update may queue for a while


class LoadFake(FakeTelegram):
    """FakeTelegram with cheap, targeted waits: n messages sent to a chat."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._send_waiters: dict[int, list[tuple[int, asyncio.Future[None]]]] = {}
        self._seen_calls = 0

    def _changed(self) -> None:
        super()._changed()
        if not hasattr(self, "_send_waiters"):  # called from FakeTelegram.__init__ paths
            return
        while self._seen_calls < len(self.calls):
            call = self.calls[self._seen_calls]
            self._seen_calls += 1
            chat = call.params.get("chat_id")
            if not isinstance(chat, int):
                continue
            waiters = self._send_waiters.get(chat)
            if waiters:
                done = self.sends(chat)
                keep = [(n, f) for n, f in waiters if not f.done() and n > done]
                for n, f in waiters:
                    if not f.done() and n <= done:
                        f.set_result(None)
                self._send_waiters[chat] = keep

    def sends(self, chat_id: int) -> int:
        """Successful sendMessage/sendDocument/sendPhoto/sendMediaGroup calls to chat_id so far."""
        return len(self._send_times.get(chat_id, ()))

    def send_time(self, chat_id: int, index: int) -> float:
        """time.monotonic() at which the index-th send to chat_id reached the fake."""
        return self._send_times[chat_id][index]

    async def sent_at_least(self, chat_id: int, n: int) -> None:
        if self.sends(chat_id) >= n:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._send_waiters.setdefault(chat_id, []).append((n, fut))
        try:
            await asyncio.wait_for(fut, STEP_TIMEOUT)
        except TimeoutError:
            raise WaitTimeout(f"timed out after {STEP_TIMEOUT}s waiting for {n} messages to {chat_id} "
                              f"(have {self.sends(chat_id)})") from None

    def button_message(self, chat_id: int, data: str) -> int | None:
        """message_id of the latest bot message in chat_id that has an inline button with this callback data."""
        for message_id in reversed(self._bot_messages.get(chat_id, [])):
            markup = (self._messages.get((chat_id, message_id)) or {}).get("reply_markup") or {}
            if any(b.get("callback_data") == data for row in markup.get("inline_keyboard", []) for b in row):
                return message_id
        return None


class Observer:
    """The bench's own reads (its own engine: on SQLite plain deferred reads, which never take the
    write lock the service's BEGIN IMMEDIATE transactions queue on; WAL lets them run alongside)."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 0}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
        else:
            kwargs["connect_args"] = {"server_settings": {"application_name": BENCH_APP}}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)

    async def chat(self, chat_id: int) -> tuple[int, flows.ConversationState]:
        """(telegram outbox rows ever written for chat_id, its stored conversation state), in one read."""
        async with self.engine.connect() as conn:
            rows = await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id)))
            state = await conn.scalar(select(Conversation.state).where(
                Conversation.channel == "telegram", Conversation.chat_id == str(chat_id)))
        return int(rows or 0), flows.ConversationState.model_validate(state or {})

    async def outbox_rows(self, chat_id: int) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id))) or 0)

    async def pending(self) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.status == "pending")) or 0)

    async def close(self) -> None:
        await self.engine.dispose()


# -- databases -------------------------------------------------------------------------------------------------

def pg_admin_dsn(url: str) -> str:
    """asyncpg DSN of the server's `postgres` database, from a SQLAlchemy asyncpg URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"


async def pg_create(url: str) -> str:
    """Create a fresh database esurat_bench_<random> on the server of `url`; return its SQLAlchemy URL."""
    name = f"esurat_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(pg_admin_dsn(url), timeout=5)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return url.rsplit("/", 1)[0] + "/" + name


async def pg_drop(db_url: str) -> None:
    name = db_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(pg_admin_dsn(db_url), timeout=5)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()
