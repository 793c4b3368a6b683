"""The outbox keeps per-chat order, honours retry-after, retries transient errors and
resumes after a restart (a new sender picks up what an old one leased)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import Deliver, OutboxSender, RateLimiter, RetryLater
from db.models import OutboxMessage
from db.outbox import claim, enqueue
from tests.support.lifecycle import FixedClock


async def fill(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock, items: Sequence[tuple[str, str]],
) -> None:
    async with sessions.begin() as s:
        for chat, text in items:
            enqueue(s, "test", chat, {"type": "text", "text": text}, clock())


def sender(sessions: async_sessionmaker[AsyncSession], clock: FixedClock, deliver: Deliver) -> OutboxSender:
    return OutboxSender(sessions, "test", deliver, clock=clock, limiter=RateLimiter(0, 10_000, 0))


async def test_order_retry_after_and_resume(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = FixedClock()
    await fill(sessions, clock, [("a", "a1"), ("b", "b1"), ("a", "a2"), ("a", "a3")])
    delivered: list[str] = []
    failures: dict[str, list[Exception]] = {
        "a2": [RetryLater(3, "429 retry after 3", count_attempt=False)], "b1": [RuntimeError("502")],
    }

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
        from sqlalchemy import select

        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert all(r.status == "sent" for r in rows)
    assert next(r for r in rows if r.payload["text"] == "a2").attempts == 1  # retry-after is not a failure


async def test_a_crashed_senders_lease_expires(sessions: async_sessionmaker[AsyncSession]) -> None:
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
