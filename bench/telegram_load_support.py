"""Support for bench/bench_telegram_load.py: a FakeTelegram whose waits cost nothing while
nothing relevant happens, simulated residents that time every step, and the databases.

The stock `FakeTelegram.wait_until` wakes every waiter on every call the fake records; with a
few hundred concurrent residents that alone would eat the CPU the service is meant to get.
`LoadFake` keeps waiters per update id and per chat and resolves them from the calls recorded
since the last change, so a wait costs O(1) per relevant event.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import flows
from db.models import Conversation, OutboxMessage
from tests.fakes.telegram_api import FakeTelegram, WaitTimeout
from tests.support.flows import answer_until_summary

STEP_TIMEOUT = 180.0  # seconds; generous: with hundreds of residents an update may queue for a while


class LoadFake(FakeTelegram):
    """FakeTelegram with cheap, targeted waits: update confirmed, n messages sent to a chat."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._confirm_waiters: dict[int, asyncio.Future[None]] = {}
        self._send_waiters: dict[int, list[tuple[int, asyncio.Future[None]]]] = {}
        self._seen_confirmed = 0
        self._seen_calls = 0

    def _changed(self) -> None:
        super()._changed()
        if not hasattr(self, "_send_waiters"):  # called from FakeTelegram.__init__ paths
            return
        if len(self.confirmed_update_ids) != self._seen_confirmed:
            self._seen_confirmed = len(self.confirmed_update_ids)
            for uid in [u for u in self._confirm_waiters if u in self.confirmed_update_ids]:
                fut = self._confirm_waiters.pop(uid)
                if not fut.done():
                    fut.set_result(None)
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

    async def _wait(self, fut: asyncio.Future[None], what: str) -> None:
        try:
            await asyncio.wait_for(fut, STEP_TIMEOUT)
        except TimeoutError:
            raise WaitTimeout(f"timed out after {STEP_TIMEOUT}s waiting for {what}") from None

    async def confirmed(self, update_id: int) -> None:
        if update_id in self.confirmed_update_ids:
            return
        fut = self._confirm_waiters.setdefault(update_id, asyncio.get_running_loop().create_future())
        await self._wait(fut, f"update {update_id} confirmed")

    async def sent_at_least(self, chat_id: int, n: int) -> None:
        if self.sends(chat_id) >= n:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._send_waiters.setdefault(chat_id, []).append((n, fut))
        await self._wait(fut, f"{n} messages to {chat_id} (have {self.sends(chat_id)})")

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

    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {"pool_size": 5, "max_overflow": 0}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._handled: set[int] = set()
        self._handled_waiters: dict[int, asyncio.Future[None]] = {}

    async def chat(self, chat_id: int) -> tuple[int, flows.ConversationState]:
        """(telegram outbox rows ever written for chat_id, its stored conversation state), in one read."""
        async with self.engine.connect() as conn:
            rows = await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id)))
            state = await conn.scalar(select(Conversation.state).where(
                Conversation.channel == "telegram", Conversation.chat_id == str(chat_id)))
        return int(rows or 0), flows.ConversationState.model_validate(state or {})

    def watch(self, services: Any) -> None:
        """Learn in-process when the service's inbox worker has handled an update (no polling of the table)."""
        worker = services.telegram.inbox
        handle = worker.handle

        async def handled_then_tell(row: Any) -> None:
            await handle(row)
            update_id = int(row.update_id)
            self._handled.add(update_id)
            fut = self._handled_waiters.pop(update_id, None)
            if fut is not None and not fut.done():
                fut.set_result(None)

        worker.handle = handled_then_tell

    async def handled(self, update_id: int) -> None:
        """Wait until the service handled the update (it is confirmed to Telegram once stored, before that)."""
        if update_id in self._handled:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._handled_waiters[update_id] = fut
        await fut

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


@dataclass
class Timings:
    """Latency (update queued -> first bot message to that chat reached the fake) of each step, by kind."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {"text": [], "press": [], "photo": []})
    updates: int = 0
    silent: int = 0  # updates that caused no message (none expected)
    update_ids: list[int] = field(default_factory=list)

    def all(self) -> list[float]:
        return [x for v in self.latencies_ms.values() for x in v]


class LoadResident:
    """One resident completing an SKTM request, answering each question from the stored state
    (as tests/telegram/driver.Resident does), waiting for every reply before the next answer."""

    def __init__(self, tg: LoadFake, observer: Observer, catalogue: flows.Catalogue, user_id: int,
                 photo: bytes, timings: Timings) -> None:
        self.tg, self.observer, self.catalogue, self.user_id = tg, observer, catalogue, user_id
        self.photo_bytes, self.timings = photo, timings
        self.state = flows.ConversationState()

    async def _settle(self, kind: str, send: Any) -> None:
        tg, chat = self.tg, self.user_id
        before = tg.sends(chat)  # every earlier reply arrived: sends after this one are caused by this update
        update = send()
        t0 = time.monotonic()
        self.timings.updates += 1
        self.timings.update_ids.append(update["update_id"])
        await tg.confirmed(update["update_id"])  # stored in the inbox (polling confirms after storing)
        await self.observer.handled(update["update_id"])  # and handled from there
        rows, self.state = await self.observer.chat(chat)
        await tg.sent_at_least(chat, rows)
        if rows > before:
            self.timings.latencies_ms[kind].append((tg.send_time(chat, before) - t0) * 1000)
        else:
            self.timings.silent += 1

    async def text(self, text: str) -> None:
        await self._settle("text", lambda: self.tg.user_sends_text(self.user_id, text))

    async def photo(self) -> None:
        await self._settle("photo", lambda: self.tg.user_sends_photo(self.user_id, self.photo_bytes))

    async def press(self, value: str) -> None:
        data = f"c:{value}"
        message_id = self.tg.button_message(self.user_id, data)
        if message_id is None:
            raise AssertionError(f"resident {self.user_id}: no button {value!r}; "
                                 f"last messages: {self.tg.messages_to(self.user_id)[-2:]}")
        await self._settle("press", lambda: self.tg.user_presses(self.user_id, self.user_id, message_id, data))

    async def request_sktm(self, dependants: int) -> None:
        await self.text("/start")
        await self.press("ya")  # consent
        await self.text("bukit tunggal")
        await self.press("sktm")
        await self.press("lanjut")
        async def state() -> Any:
            return self.state

        await answer_until_summary(self, self.catalogue, state, dependants)
        await self.press("kirim")


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
