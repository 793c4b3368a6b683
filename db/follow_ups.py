"""Follow-ups: what must happen after a state change (issue the letter, ...), as rows written in
the transaction of the change (`schedule`), then claimed by a runner (leased to its process
instance, `db.claims`), completed, or retried with backoff. One row per purpose (`key`), so
scheduling the same follow-up twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from db.claims import Claims, claimable
from db.models import FollowUp


class FollowUpStatus(StrEnum):
    PENDING = "pending"  # to run (again, after `next_attempt_at`)
    DONE = "done"
    FAILED = "failed"  # given up: the handler said it can never succeed


@dataclass(frozen=True)
class Job:
    """A claimed follow-up, as its handler sees it."""

    id: int
    kind: str
    key: str
    request_id: int | None
    payload: dict[str, Any]
    attempts: int


async def schedule(session: AsyncSession, kind: str, key: str, now: datetime, *, request_id: int | None = None,
                   payload: dict[str, Any] | None = None, due: datetime | None = None) -> FollowUp | None:
    """Add the follow-up `key` in the caller's transaction, unless it exists already; it runs from `due`
    (default: at once)."""
    if await session.scalar(select(FollowUp.id).where(FollowUp.key == key)) is not None:
        return None
    row = FollowUp(kind=kind, key=key, request_id=request_id, payload=payload or {},
                   status=FollowUpStatus.PENDING, attempts=0, next_attempt_at=max(due or now, now), created_at=now)
    session.add(row)
    return row


async def claim(sessions: async_sessionmaker[AsyncSession], now: datetime, claims: Claims, *, limit: int = 10,
                key: str | None = None) -> list[Job]:
    """Lease due follow-ups (or only `key`) to `claims.owner`; each claim counts as an attempt."""
    if limit <= 0:
        return []
    due = select(FollowUp.id).where(
        FollowUp.status == FollowUpStatus.PENDING, FollowUp.next_attempt_at <= now, claimable(FollowUp, now),
    )
    if key is not None:
        due = due.where(FollowUp.key == key)
    due = due.order_by(FollowUp.id).limit(limit).with_for_update(skip_locked=True)
    async with sessions.begin() as session:
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(FollowUp).where(FollowUp.id.in_(ids))
            .values(locked_by=claims.owner, locked_until=now + claims.lease, attempts=FollowUp.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        rows = await session.scalars(select(FollowUp).where(FollowUp.id.in_(ids)).order_by(FollowUp.id)
                                     .execution_options(populate_existing=True))
        return [Job(r.id, r.kind, r.key, r.request_id, dict(r.payload or {}), r.attempts) for r in rows]


async def finish(sessions: async_sessionmaker[AsyncSession], job_id: int, owner: str, now: datetime, *,
                 status: FollowUpStatus = FollowUpStatus.DONE, retry_in: float = 0.0, error: str | None = None,
                 ) -> bool:
    """Record the end of an attempt by `owner`: done, failed, or pending again after `retry_in` s.
    False when `owner` no longer holds the row (its lease ended and another process took it)."""
    values: dict[str, Any] = {"status": status, "locked_by": None, "locked_until": None, "last_error": error}
    if status is FollowUpStatus.DONE:
        values["done_at"] = now
    elif status is FollowUpStatus.PENDING:
        values["next_attempt_at"] = now + timedelta(seconds=retry_in)
    async with sessions.begin() as session:
        result = await session.execute(
            update(FollowUp).where(FollowUp.id == job_id, FollowUp.locked_by == owner).values(**values)
            .execution_options(synchronize_session=False)
        )
    return bool(getattr(result, "rowcount", 0))


async def status_of(sessions: async_sessionmaker[AsyncSession], key: str, now: datetime,
                    ) -> tuple[FollowUpStatus | None, bool]:
    """The status of follow-up `key` (None: there is none), and whether a process is running it now."""
    async with sessions() as session:
        row = (await session.execute(select(FollowUp.status, FollowUp.locked_until).where(FollowUp.key == key))).first()
    if row is None:
        return None, False
    status, locked_until = row
    return FollowUpStatus(status), locked_until is not None and locked_until > now


def fire_on_commit(session_class: type[Session], fire: Callable[[], None]) -> None:
    """Call `fire` after each commit of a `session_class` session that added follow-ups (wakes the
    runner of this process at once; other processes find the rows by polling)."""

    @event.listens_for(session_class, "before_flush")
    def _mark(session: Session, _ctx: Any, _instances: Any) -> None:
        if any(isinstance(obj, FollowUp) for obj in session.new):
            session.info["follow_up"] = True

    @event.listens_for(session_class, "after_commit")
    def _fire(session: Session) -> None:
        if session.info.pop("follow_up", False):
            fire()

    @event.listens_for(session_class, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("follow_up", None)
