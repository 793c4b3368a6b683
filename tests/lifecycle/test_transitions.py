"""Every transition is checked; an illegal one raises and changes nothing; each writes an audit event."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AuditEvent, LetterRequest, NumberSequence, OutboxMessage
from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, NotAuthorized, ReasonRequired
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import ActorKind, Event, Status, check
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident, make_staff

FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "keperluan": "Beasiswa"}


@pytest.fixture
def lifecycle(sessions: async_sessionmaker[AsyncSession]) -> RequestLifecycle:
    return RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> tuple[Sequence[tuple[object, ...]], list[int | None]]:
    async with sessions() as s:
        reqs = (await s.execute(select(LetterRequest).order_by(LetterRequest.id))).scalars().all()
        rows = [(r.id, r.status, r.number, r.reason, r.note, r.fields) for r in reqs]
        tables = (AuditEvent, NumberSequence, OutboxMessage)
        counts = [await s.scalar(select(func.count()).select_from(t)) for t in tables]
        return rows, counts


async def submitted(
    lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession],
) -> tuple[LetterRequest, Actor, Actor]:
    resident = await make_resident(sessions)
    staff = await make_staff(sessions)
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields=FIELDS)
    return req, resident, staff


async def test_full_path_with_revision_and_audit(
    lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession],
) -> None:
    req, resident, staff = await submitted(lifecycle, sessions)
    assert req.status == "submitted" and req.code == f"BT-2026-{req.id:06d}"
    await lifecycle.request_revision(req.id, staff, "Alamat kurang lengkap", ["alamat"])
    await lifecycle.resubmit(req.id, resident, fields={**FIELDS, "alamat": "Jl. G. Obos XII No. 5"})
    approved = await lifecycle.approve(req.id, staff)
    assert approved.status == "approved"
    assert approved.number == "400.12.2.2/001/BT/XI/2026"
    async with sessions() as s:
        audit = (await s.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars().all()
    assert [(a.action, a.from_state, a.to_state) for a in audit] == [
        ("create", None, "draft"), ("submit", "draft", "submitted"),
        ("request_revision", "submitted", "needs_revision"), ("submit", "needs_revision", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    assert audit[-1].actor == staff.label and audit[1].actor == resident.label


@pytest.mark.parametrize("first, then, kwargs", [
    ("reject", "approve", {}),
    ("reject", "request_revision", {"note": "x"}),
    ("approve", "reject", {"reason": "terlambat"}),
    ("approve", "approve", {}),
    ("cancel", "approve", {}),
])
async def test_illegal_transition_raises_and_changes_nothing(
    lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession],
    first: str, then: str, kwargs: dict[str, str],
) -> None:
    req, resident, staff = await submitted(lifecycle, sessions)
    if first == "reject":
        await lifecycle.reject(req.id, staff, "Data tidak sesuai")
    elif first == "approve":
        await lifecycle.approve(req.id, staff)
    else:
        await lifecycle.cancel(req.id, resident)
    before = await snapshot(sessions)
    with pytest.raises(IllegalTransition):
        await getattr(lifecycle, then)(req.id, staff, *kwargs.values())
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("call", ["reject", "request_revision"])
@pytest.mark.parametrize("reason", ["", "   "])
async def test_reason_required(
    lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession], call: str, reason: str,
) -> None:
    req, _, staff = await submitted(lifecycle, sessions)
    before = await snapshot(sessions)
    with pytest.raises(ReasonRequired):
        await getattr(lifecycle, call)(req.id, staff, reason)
    assert await snapshot(sessions) == before


async def test_staff_of_another_kelurahan_and_other_residents_are_refused(
    lifecycle: RequestLifecycle, sessions: async_sessionmaker[AsyncSession],
) -> None:
    req, _, _ = await submitted(lifecycle, sessions)
    outsider = await make_staff(sessions, slug="menteng")
    stranger = await make_resident(sessions, external_id="2002")
    before = await snapshot(sessions)
    with pytest.raises(NotAuthorized):
        await lifecycle.approve(req.id, outsider)
    with pytest.raises(NotAuthorized):
        await lifecycle.cancel(req.id, stranger)
    assert await snapshot(sessions) == before


def test_transition_table_is_closed() -> None:
    """Pure check of the table: residents can't approve; issue only from approved; revoke needs a reason."""
    with pytest.raises(IllegalTransition):
        check(Event.APPROVE, Status.SUBMITTED, ActorKind.RESIDENT)
    with pytest.raises(IllegalTransition):
        check(Event.ISSUE, Status.SUBMITTED, ActorKind.SYSTEM)
    with pytest.raises(ReasonRequired):
        check(Event.REVOKE, Status.ISSUED, ActorKind.STAFF, None)
    assert check(Event.REVOKE, Status.ISSUED, ActorKind.STAFF, "salah data") is Status.REVOKED
