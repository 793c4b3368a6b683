"""The outbox keeps per-chat order, honours retry-after, retries transient errors and
resumes after a restart (a new sender picks up what an old one leased); each chat is delivered
independently, one row at a time, within a bound, and many chats share few transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import delivery
from bot.delivery import Deliver, OutboxSender, RateLimiter, RatePolicy, RetryLater
from db import outbox
from db.models import OutboxMessage
from db.outbound import TextOut
from db.outbox import claim, enqueue
from tests.support.lifecycle import FixedClock

Sessions = async_sessionmaker[AsyncSession]


async def fill(sessions: Sessions, clock: FixedClock, items: list[tuple[str, str]]) -> None:
    async with sessions.begin() as s:
        for chat, text in items:
            await enqueue(s, "test", chat, TextOut(text=text), clock())


def sender(sessions: Sessions, clock: FixedClock, deliver: Deliver) -> OutboxSender:
    return OutboxSender(sessions, "test", deliver, clock=clock, limiter=RateLimiter(RatePolicy(0, 0, 10_000)))


async def test_order_retry_after_and_resume(sessions: Sessions) -> None:
    clock = FixedClock()
    await fill(sessions, clock, [("a", "a1"), ("b", "b1"), ("a", "a2"), ("a", "a3")])
    delivered: list[str] = []
    failures: dict[str, list[Exception]] = {"a2": [RetryLater(3, "429 retry after 3", count_attempt=False)],
                                             "b1": [RuntimeError("502")]}

    async def deliver(row: OutboxMessage) -> dict[str, Any]:
        text = row.payload["text"]
        if failures.get(text):
            raise failures[text].pop(0)
        delivered.append(text)
        return {"message_id": len(delivered)}

    s = sender(sessions, clock, deliver)
    await s.run_once()
    assert delivered == ["a1"]  # b1 failed transiently (backoff), a2 was told to wait
    await s.run_once()
    assert delivered == ["a1"]  # nothing is due yet; a3 waits behind a2
    clock.now += timedelta(seconds=3)
    await s.run_once()
    assert delivered == ["a1", "a2", "b1"] or delivered == ["a1", "b1", "a2"]
    await s.run_once()
    assert delivered[-1] == "a3" and sorted(delivered) == ["a1", "a2", "a3", "b1"]
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert all(r.status == "sent" for r in rows)
    assert next(r for r in rows if r.payload["text"] == "a2").attempts == 1  # retry-after is not a failure


async def test_a_crashed_senders_lease_expires(sessions: Sessions) -> None:
    clock = FixedClock()
    await fill(sessions, clock, [("c", "c1")])
    leased = await claim(sessions, "test", clock())  # a sender claims, then dies
    assert [r.payload["text"] for r in leased] == ["c1"]
    delivered: list[str] = []

    async def deliver(row: OutboxMessage) -> None:
        delivered.append(row.payload["text"])

    s = sender(sessions, clock, deliver)
    assert await s.run_once() == 0  # still leased
    clock.now += timedelta(seconds=61)
    assert await s.run_once() == 1 and delivered == ["c1"]


async def test_chats_are_delivered_independently_one_row_per_chat_at_a_time(sessions: Sessions) -> None:
    clock = FixedClock()
    await fill(sessions, clock, [("a", "a1"), ("a", "a2"), ("b", "b1"), ("c", "c1"), ("d", "d1")])
    gates: dict[str, asyncio.Event] = {}
    in_flight: set[str] = set()
    seen: list[set[str]] = []
    delivered: list[str] = []

    async def deliver(row: OutboxMessage) -> dict[str, Any]:
        text = row.payload["text"]
        in_flight.add(text)
        seen.append(set(in_flight))
        await gates.setdefault(text, asyncio.Event()).wait()
        in_flight.discard(text)
        delivered.append(text)
        return {}

    s = OutboxSender(sessions, "test", deliver, clock=clock, limiter=RateLimiter(RatePolicy(0, 0, 10_000)),
                     max_in_flight=3, poll_interval=0.01)
    running = asyncio.create_task(s.run_forever())

    async def until(condition: Callable[[], bool]) -> None:
        for _ in range(1000):
            if condition():
                return
            await asyncio.sleep(0.005)
        raise AssertionError(f"in flight {in_flight}, delivered {delivered}")

    try:
        await until(lambda: in_flight == {"a1", "b1", "c1"})  # at most 3; a2 waits behind a1
        gates.setdefault("b1", asyncio.Event()).set()  # b finishes while a1 hangs: d1 goes, a2 still waits
        await until(lambda: in_flight == {"a1", "c1", "d1"})
        for text in ("a1", "c1", "d1"):
            gates.setdefault(text, asyncio.Event()).set()
        await until(lambda: "a2" in in_flight)
        gates.setdefault("a2", asyncio.Event()).set()
        await until(lambda: len(delivered) == 5)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert delivered.index("a1") < delivered.index("a2")
    assert max(len(x) for x in seen) == 3 and not any({"a1", "a2"} <= x for x in seen)


async def test_many_chats_are_settled_and_claimed_in_few_transactions(sessions: Sessions,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FixedClock()
    await fill(sessions, clock, [(f"chat{i}", f"m{i}") for i in range(40)])
    rounds = 0
    original = outbox.settle_and_claim

    async def counted(*args: Any, **kwargs: Any) -> outbox.Claimed:
        nonlocal rounds
        rounds += 1
        return await original(*args, **kwargs)

    monkeypatch.setattr(delivery, "settle_and_claim", counted)

    async def deliver(row: OutboxMessage) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {}

    s = sender(sessions, clock, deliver)
    running = asyncio.create_task(s.run_forever())
    try:
        for _ in range(1000):
            async with sessions() as session:
                left = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                            .where(OutboxMessage.status != "sent"))
            if not left:
                break
            await asyncio.sleep(0.01)
        assert left == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert rounds < 20  # 40 rows in 40 chats: a handful of transactions, not one or two per row
