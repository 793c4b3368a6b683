"""The outbox: every outbound message is a row written in the transaction that causes it,
then delivered by a channel's sender. Rows of one chat are delivered in order; a failed
row is retried with backoff; a claimed row is leased to the claiming process instance
(`db.claims`), whose heartbeat renews the lease while it delivers, so a killed sender's rows
are taken over within one lease (~10 s), or at once by its restart on the same host (`take_over`);
several replicas share the table (SKIP LOCKED).

A sender settles what it delivered and claims the next rows in one transaction
(`settle_and_claim`): one write transaction per round, however many chats are in flight. With
`db.send_slots` the same transaction claims only chats whose pace allows a send and books the moment
each claimed row may go (shared by the replicas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.claims import Claims, claim_statement, loaded
from db.models import OutboxMessage
from db.outbound import Outbound, dump_outbound
from db.send_slots import SendSlots, not_waiting
from db.signals import OUTBOX_WRITTEN

MAX_ATTEMPTS = 12
LEASE = timedelta(seconds=10)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to be delivered (again, after `next_attempt_at`)
    SENT = "sent"
    FAILED = "failed"  # given up: undeliverable, or MAX_ATTEMPTS reached


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row: sent (with `result`), to retry after `delay` s, or failed."""

    row_id: int
    status: OutboxStatus
    result: dict[str, Any] | None = None
    delay: float = 0.0
    error: str = ""
    count_attempt: bool = True


async def enqueue(session: AsyncSession, channel: str, chat_id: str | int, message: Outbound, now: datetime) -> None:
    """Write `message` for `chat_id` of `channel` in the caller's transaction (delivered after the commit): one
    Core INSERT at once, in the order of the calls (the ORM's unit of work cost more than the statement)."""
    await session.execute(_INSERT, {
        "channel": channel, "chat_id": str(chat_id), "payload": dump_outbound(message), "status": OutboxStatus.PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now,
    })
    session.info[OUTBOX_WRITTEN] = True  # the senders of this process are woken by the commit (db/signals.py)


_TABLE: Table = OutboxMessage.__table__  # type: ignore[assignment]
_CLAIM = claim_statement(_TABLE, "chat_id")
_CLAIM_PACED = claim_statement(_TABLE, "chat_id", not_waiting(bindparam("ready_at")))  # chats whose slot has come
_INSERT = insert(_TABLE)
_SENT = (  # a Core statement: run once with every sent row's values (executemany)
    update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(
        status=OutboxStatus.SENT, sent_at=bindparam("now"), locked_until=None, locked_by=None,
        result=bindparam("result", type_=_TABLE.c.result.type), attempts=_TABLE.c.attempts + 1,
    )
)


async def claim_in(session: AsyncSession, channel: str, now: datetime, *, limit: int = 50,
                   lease: timedelta = LEASE, owner: str | None = None, paced: bool = False) -> list[OutboxMessage]:
    """In the caller's transaction: lease due rows of `channel`, at most one (the oldest pending) per
    chat, so a chat whose row is in flight (pending and leased) gets nothing until it is settled.
    `paced`: only of chats whose send slot has come (`db.send_slots`)."""
    if limit <= 0:
        return []
    values = {"of_channel": channel, "now": now, "limit": limit, "until": now + lease, "owner": owner}
    if paced:
        values["ready_at"] = now.timestamp()
    return loaded(OutboxMessage, await session.execute(_CLAIM_PACED if paced else _CLAIM, values))


async def claim(
    sessions: async_sessionmaker[AsyncSession], channel: str, now: datetime, *, limit: int = 50,
    lease: timedelta = LEASE, owner: str | None = None,
) -> list[OutboxMessage]:
    """Lease due rows of `channel` in a transaction of their own (see `claim_in`)."""
    async with sessions.begin() as session:
        return await claim_in(session, channel, now, limit=limit, lease=lease, owner=owner)


async def settle_in(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime, owner: str | None) -> None:
    """In the caller's transaction: record what became of delivered rows. A retry or a failure is
    recorded only while `owner` still holds the row; a send is recorded whoever holds it (it happened)."""
    # Rows in ascending id order, as the heartbeat's lease renewal (`UPDATE ... WHERE id IN`) takes them: two
    # transactions of one process never wait for each other's rows in opposite orders (a PostgreSQL deadlock).
    outcomes = sorted(outcomes, key=lambda o: o.row_id)
    sent = [{"row_id": o.row_id, "now": now, "result": o.result} for o in outcomes if o.status is OutboxStatus.SENT]
    if sent:  # one statement for every row sent (executemany)
        await session.execute(_SENT, sent)
    for o in outcomes:
        if o.status is OutboxStatus.SENT:
            continue
        row = await session.get(OutboxMessage, o.row_id, populate_existing=True)
        if row is None or row.status != OutboxStatus.PENDING or (owner is not None and row.locked_by != owner):
            continue
        row.last_error = o.error[:500]
        row.locked_until = row.locked_by = None
        if o.status is OutboxStatus.FAILED:
            row.status = OutboxStatus.FAILED
            continue
        if o.count_attempt:
            row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=o.delay)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED


@dataclass(frozen=True)
class Claimed:
    """The rows a round claimed and, when paced by `SendSlots`, the moment booked for each (row id -> epoch s)."""

    rows: list[OutboxMessage]
    send_at: dict[int, float] = field(default_factory=dict)


async def settle_and_claim(
    sessions: async_sessionmaker[AsyncSession], channel: str, outcomes: Sequence[Outcome], now: datetime,
    claims: Claims, *, limit: int, slots: SendSlots | None = None,
) -> Claimed:
    """One round of a sender in one transaction: settle `outcomes`, then claim up to `limit` rows; with
    `slots`, only of chats whose pace allows a send, and book the moment each may go."""
    async with sessions.begin() as session:
        await settle_in(session, outcomes, now, claims.owner)
        rows = await claim_in(session, channel, now, limit=limit, lease=claims.lease, owner=claims.owner,
                              paced=slots is not None)
        if slots is None or not rows:
            return Claimed(rows)
        moments = await slots.book(session, [r.chat_id for r in rows], now.timestamp())
        return Claimed(rows, {r.id: at for r, at in zip(rows, moments, strict=True)})


async def mark_sent(
    sessions: async_sessionmaker[AsyncSession], row_id: int, now: datetime, result: dict[str, Any] | None = None,
) -> None:
    async with sessions.begin() as session:
        await settle_in(session, [Outcome(row_id, OutboxStatus.SENT, result)], now, None)


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    return min(cap, base * 2.0 ** max(0, attempts))
