"""The platform's pace holds across replicas (#16): two outbox senders, each with its own engine (two
processes) on one database, never send to a chat sooner than its interval after the other's send, nor
faster together than the bot-wide rate. On SQLite and PostgreSQL, with a fake clock; no test sleeps: a
send "happens" at the moment its sender would have slept until."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender, RatePolicy, shared_slots
from db.claims import Claims
from db.engine import make_engine, make_sessionmaker
from db.models import OutboxMessage, SendSlot
from db.outbound import TextOut
from db.outbox import enqueue
from db.send_slots import CHANNEL_WIDE, KEEP, SendSlots
from tests.support.lifecycle import FixedClock

Sessions = async_sessionmaker[AsyncSession]
POLICY = RatePolicy(per_chat=1.0, per_group=3.0, global_per_second=5.0, is_group=lambda chat: chat.startswith("-"))
EPS = 1e-6
UNTIL: contextvars.ContextVar[float | None] = contextvars.ContextVar("until", default=None)


@pytest.fixture
async def replicas(db_url: str) -> AsyncIterator[tuple[Sessions, Sessions]]:
    """Two processes' session factories (each its own engine and pool) on the same database."""
    one, two = make_engine(db_url), make_engine(db_url)
    try:
        yield make_sessionmaker(one), make_sessionmaker(two)
    finally:
        await one.dispose()
        await two.dispose()


class Sends:
    """What the senders sent: (chat, moment, sender). A sender's sleep only notes the moment it waits for."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.log: list[tuple[str, float, str]] = []

    async def sleep(self, seconds: float) -> None:
        UNTIL.set(self.clock().timestamp() + seconds)  # in the row's task: the delivery sees it

    def sender(self, sessions: Sessions, name: str) -> OutboxSender:
        async def deliver(row: OutboxMessage) -> dict[str, Any]:
            at = UNTIL.get() or self.clock().timestamp()
            self.log.append((row.chat_id, at, name))
            return {}

        # A few rows a round each, so that both claim and book in the same rounds whichever goes first.
        return OutboxSender(sessions, "test", deliver, clock=self.clock, claims=Claims(name),
                            slots=shared_slots("test", POLICY), sleep=self.sleep, max_in_flight=3)


async def test_two_senders_keep_each_chats_interval_and_the_bot_wide_rate(replicas: tuple[Sessions, Sessions]) -> None:
    clock = FixedClock()
    chats = ["a"] * 6 + ["-100"] * 3 + [f"c{i}" for i in range(12)] + ["b"] * 4
    async with replicas[0].begin() as s:
        for n, chat in enumerate(chats):
            await enqueue(s, "test", chat, TextOut(text=f"{chat}#{n}"), clock())
    sends = Sends(clock)
    one, two = sends.sender(replicas[0], "A"), sends.sender(replicas[1], "B")
    for step in range(200):
        if len(sends.log) == len(chats):
            break
        first, then = (one, two) if step % 2 else (two, one)
        await asyncio.gather(first.run_once(), then.run_once())  # both claim and book at the same time
        clock.now += timedelta(seconds=0.1)
    assert len(sends.log) == len(chats)
    assert {name for _, _, name in sends.log} == {"A", "B"}  # both replicas sent
    moments = sorted(at for _, at, _ in sends.log)
    assert min(b - a for a, b in zip(moments, moments[1:], strict=False)) >= 1 / POLICY.global_per_second - EPS
    for chat in set(chats):
        mine = sorted(at for c, at, _ in sends.log if c == chat)
        gaps = [b - a for a, b in zip(mine, mine[1:], strict=False)]
        assert all(g >= POLICY.interval(chat) - EPS for g in gaps), (chat, gaps)
    async with replicas[1]() as s:
        assert set(await s.scalars(select(OutboxMessage.status))) == {"sent"}


async def test_concurrent_bookings_from_two_processes_never_share_a_moment(replicas: tuple[Sessions, Sessions]) -> None:
    slots = SendSlots("test", lambda chat: 1.0, 0.05)
    now = FixedClock()().timestamp()

    async def book(sessions: Sessions, chats: list[str]) -> list[float]:
        async with sessions.begin() as s:
            return await slots.book(s, chats, now)

    rounds = [book(replicas[n % 2], [f"r{n}-{i}" for i in range(3)]) for n in range(10)]
    moments = sorted(at for booked in await asyncio.gather(*rounds) for at in booked)
    assert len(moments) == 30
    assert moments[0] == pytest.approx(now)
    assert all(b - a >= 0.05 - EPS for a, b in zip(moments, moments[1:], strict=False))
    async with replicas[0]() as s:
        next_at = await s.scalar(select(SendSlot.next_at).where(SendSlot.chat_id == CHANNEL_WIDE))
    assert next_at == pytest.approx(now + 30 * 0.05)


async def test_a_chat_not_yet_due_is_left_to_the_others_and_old_slots_go(replicas: tuple[Sessions, Sessions]) -> None:
    clock = FixedClock()
    async with replicas[0].begin() as s:
        for chat in ("a", "a", "b"):
            await enqueue(s, "test", chat, TextOut(text=chat), clock())
    sends = Sends(clock)
    one = sends.sender(replicas[0], "A")
    await one.run_once()
    await one.run_once()  # a's second message waits for a's interval: not even claimed
    assert sorted(c for c, _, _ in sends.log) == ["a", "b"]
    async with replicas[0]() as s:
        pending = (await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))).one()
    assert pending.locked_by is None  # not held by a sender while it waits
    clock.now += timedelta(seconds=1)
    await sends.sender(replicas[1], "B").run_once()
    assert [c for c, _, name in sends.log if name == "B"] == ["a"]
    clock.now += timedelta(seconds=KEEP + 5)
    async with replicas[0].begin() as s:
        await enqueue(s, "test", "z", TextOut(text="z"), clock())
    await one.run_once()  # a booking deletes the slots long past
    async with replicas[0]() as s:
        assert set(await s.scalars(select(SendSlot.chat_id))) == {CHANNEL_WIDE, "z"}
