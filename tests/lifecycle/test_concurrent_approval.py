"""Numbers never collide: concurrent approvals on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AuditEvent, LetterRequest
from lifecycle.errors import IllegalTransition
from lifecycle.service import RequestLifecycle
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident, make_staff


def number_of(req: LetterRequest) -> str:
    assert req.number is not None, f"request {req.id} has no number"
    return req.number


async def test_twenty_concurrent_approvals_of_one_request_give_one_approval(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())
    resident = await make_resident(sessions)
    staff = [await make_staff(sessions, name=f"Petugas {i}") for i in range(20)]
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields={})
    results = await asyncio.gather(*(lifecycle.approve(req.id, s) for s in staff), return_exceptions=True)
    wins = [r for r in results if isinstance(r, LetterRequest)]
    assert len(wins) == 1, results
    assert all(isinstance(r, IllegalTransition) for r in results if r not in wins), results
    async with sessions() as s:
        approvals = await s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approve"))
        row = await s.get(LetterRequest, req.id)
    assert approvals == 1
    assert row is not None
    assert row.status == "approved" and row.number == "400.12.2.2/001/BT/XI/2026"


async def test_fifty_concurrent_approvals_give_distinct_gap_free_numbers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())
    resident = await make_resident(sessions)
    staff = await make_staff(sessions)
    reqs = [
        await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields={})
        for _ in range(50)
    ]
    done = await asyncio.gather(*(lifecycle.approve(r.id, staff) for r in reqs))
    seqs = sorted(int(number_of(r).split("/")[1]) for r in done)
    assert seqs == list(range(1, 51))
    assert {number_of(r).split("/")[1] for r in done} == {f"{i:03d}" for i in range(1, 51)}
    # A second kelurahan has its own sequence.
    other = await make_staff(sessions, slug="menteng")
    r2 = await lifecycle.submit_new(resident, kelurahan_slug="menteng", letter_type="sku", fields={})
    assert (await lifecycle.approve(r2.id, other)).number == "500.2.3/001/MTG/XI/2026"
