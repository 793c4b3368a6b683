"""The inbox worker tells the updates-handled metric how many updates it handled: those marked done, not
those retried or given up; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbox_worker import InboxWorker, Unparseable
from bot.metrics import Metrics
from db import inbox
from db.inbox import Received
from db.models import InboundUpdate

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


async def test_only_handled_updates_are_counted(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        await inbox.store(s, "chan", [Received(str(n), f"chat{n}", {"n": n}) for n in range(4)], T0)

    async def handle(row: InboundUpdate) -> None:
        if row.update_id == "1":
            raise RuntimeError("try again")
        if row.update_id == "2":
            raise Unparseable("not an update of this platform")

    metrics = Metrics()
    worker = InboxWorker(sessions, "chan", handle, clock=lambda: T0, owner="me", on_handled=metrics.handled)
    assert await worker.run_once() == 4
    assert metrics.registry.get_sample_value("esurat_updates_handled_total", {"channel": "chan"}) == 2.0
    assert await worker.run_once() == 0  # (the failed one waits for its retry)
    assert metrics.registry.get_sample_value("esurat_updates_handled_total", {"channel": "chan"}) == 2.0
