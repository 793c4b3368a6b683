"""The inbox: every inbound update is stored here, keyed by its platform id, before the platform is
told it arrived; a worker then handles it from here. Updates of one chat are handled in order (an
update waits while an earlier one of its chat is pending); a failed one is retried with backoff
and given up (`failed`) after MAX_ATTEMPTS. A claim is a short lease owned by one process
instance and renewed while it works, so another process takes over a dead one's rows within
seconds. Handling is idempotent besides (db/dedup.py), so a row handled twice does no harm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.claims import claim_statement, in_id_order, loaded
from db.models import InboundUpdate
from db.upserts import of_session, per_dialect

MAX_ATTEMPTS = 20
LEASE = timedelta(seconds=10)
KEEP = timedelta(days=30)  # how long handled and given-up rows are kept


class InboxStatus(StrEnum):
    PENDING = "pending"  # to be handled (again, after `next_attempt_at`)
    DONE = "done"
    FAILED = "failed"  # given up: cannot be parsed, or MAX_ATTEMPTS reached


@dataclass(frozen=True)
class Received:
    """One inbound update as the platform sent it."""

    update_id: str
    chat_key: str | None
    payload: dict[str, Any]


_TABLE: Table = InboundUpdate.__table__  # type: ignore[assignment]
_STORE = per_dialect(  # INSERT ... ON CONFLICT DO NOTHING RETURNING the new rows' keys, run with every update at once
    lambda insert: insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.channel, _TABLE.c.update_id))


async def store(session: AsyncSession, channel: str, updates: Sequence[Received], now: datetime) -> int:
    """Insert the updates in the caller's transaction (a repeated one is ignored); the number new."""
    [new] = await store_many(session, [(channel, updates)], now)
    return new


async def store_many(
    session: AsyncSession, calls: Sequence[tuple[str, Sequence[Received]]], now: datetime,
) -> list[int]:
    """`store` for several (channel, updates) at once, in one statement: the number new of each. An update
    given twice is new (at most) the first time."""
    values: list[dict[str, Any]] = []
    first: set[tuple[str, str]] = set()
    for channel, updates in calls:
        for u in updates:
            if (channel, u.update_id) not in first:
                first.add((channel, u.update_id))
                values.append({"channel": channel, "update_id": u.update_id, "chat_key": u.chat_key,
                               "payload": u.payload, "status": InboxStatus.PENDING, "attempts": 0,
                               "next_attempt_at": now, "received_at": now})
    if not values:
        return [0 for _ in calls]
    new = {(r[0], r[1]) for r in await session.execute(of_session(_STORE, session), values)}
    counts = []
    for channel, updates in calls:
        mine = {u.update_id for u in updates if (channel, u.update_id) in new}
        new -= {(channel, update_id) for update_id in mine}  # counted once, by the first call that gave it
        counts.append(len(mine))
    return counts


_CLAIM = claim_statement(_TABLE, "chat_key")
_DONE = (  # a Core statement, run with every handled row's id (executemany)
    update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(
        status=InboxStatus.DONE, handled_at=bindparam("now"), locked_by=None, locked_until=None,
        attempts=_TABLE.c.attempts + 1, payload=bindparam("empty", type_=_TABLE.c.payload.type),
    )
)


def _done_rows(ids: Sequence[int], now: datetime) -> list[dict[str, Any]]:
    """`_DONE`'s values for each row, in ascending id order (as lease renewals lock them: no deadlock)."""
    return [{"row_id": i, "now": now, "empty": {}} for i in sorted(ids)]


async def claim(
    sessions: async_sessionmaker[AsyncSession], channel: str, owner: str, now: datetime, *, limit: int = 10,
    lease: timedelta = LEASE, done: Sequence[int] = (),
) -> list[InboundUpdate]:
    """Lease due rows of `channel` to `owner`: at most one per chat, the oldest pending of its chat. `done`:
    rows handled since the last claim, marked done first in the same transaction (see `mark_done`)."""
    async with sessions.begin() as session:
        if done:
            await session.execute(_DONE, _done_rows(done, now))
        return loaded(InboundUpdate, await session.execute(_CLAIM, {
            "of_channel": channel, "now": now, "limit": limit, "until": now + lease, "owner": owner}))


async def renew(sessions: async_sessionmaker[AsyncSession], owner: str, ids: Sequence[int], now: datetime, *,
                lease: timedelta = LEASE) -> None:
    """The owner still works on these rows: extend their lease."""
    if not ids:
        return
    async with sessions.begin() as session:
        await session.execute(update(InboundUpdate).where(InboundUpdate.id.in_(in_id_order(
            InboundUpdate, InboundUpdate.id.in_(list(ids)), InboundUpdate.locked_by == owner,
            InboundUpdate.status == InboxStatus.PENDING,
        ))).values(locked_until=now + lease).execution_options(synchronize_session=False))


async def mark_done(sessions: async_sessionmaker[AsyncSession], row_ids: Sequence[int], now: datetime) -> None:
    """These rows were handled (one transaction for a worker's whole batch). Their payload, which may hold
    personal data, is dropped: the row stays, with its id, as the record that the update was handled."""
    if not row_ids:
        return
    async with sessions.begin() as session:
        await session.execute(_DONE, _done_rows(row_ids, now))


async def mark_retry(
    sessions: async_sessionmaker[AsyncSession], row_id: int, now: datetime, delay: float, error: str, *,
    count_attempt: bool = True,
) -> str:
    """Another attempt after `delay` seconds, or `failed` after MAX_ATTEMPTS; returns the new status.
    `error` is stored as given: pass a description without personal data (e.g. the error's class)."""
    async with sessions.begin() as session:
        row = await session.get(InboundUpdate, row_id)
        if row is None:
            raise LookupError(f"inbound update {row_id} does not exist")
        if count_attempt:
            row.attempts += 1
        row.last_error = error[:500]
        row.locked_by = row.locked_until = None
        row.next_attempt_at = now + timedelta(seconds=delay)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = InboxStatus.FAILED
        return row.status


async def mark_failed(sessions: async_sessionmaker[AsyncSession], row_id: int, error: str) -> None:
    async with sessions.begin() as session:
        await session.execute(update(InboundUpdate).where(InboundUpdate.id == row_id).values(
            status=InboxStatus.FAILED, last_error=error[:500], locked_by=None, locked_until=None,
            attempts=InboundUpdate.attempts + 1,
        ))


async def release(sessions: async_sessionmaker[AsyncSession], owner: str) -> None:
    """The owner stops: its pending rows may be claimed at once by anyone."""
    async with sessions.begin() as session:
        await session.execute(update(InboundUpdate).where(
            InboundUpdate.locked_by == owner, InboundUpdate.status == InboxStatus.PENDING,
        ).values(locked_by=None, locked_until=None))


async def prune(sessions: async_sessionmaker[AsyncSession], received_before: datetime) -> int:
    """Delete handled and given-up rows received before `received_before` (platforms redeliver for a day at
    most); the number deleted."""
    async with sessions.begin() as session:
        result = await session.execute(delete(InboundUpdate).where(
            InboundUpdate.status != InboxStatus.PENDING, InboundUpdate.received_at < received_before,
        ))
    return int(getattr(result, "rowcount", 0) or 0)


def backoff(attempts: int, first: float = 0.5, cap: float = 60.0) -> float:
    """Seconds before the next attempt after `attempts` failed ones: 0.5, 1, 2, ... up to a minute."""
    return min(cap, first * 2.0 ** max(0, attempts - 1))
