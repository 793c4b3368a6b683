"""The outbox: every outbound message is a row written in the transaction that causes it,
then delivered by a channel's sender. Rows of one chat are delivered in order; a failed
row is retried with backoff; a claimed row is leased, so a crashed sender's rows are
picked up again after the lease, and several replicas can share the table (SKIP LOCKED).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db.models import OutboxMessage

MAX_ATTEMPTS = 12


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to be delivered (again, after `next_attempt_at`)
    SENT = "sent"
    FAILED = "failed"  # given up: undeliverable, or MAX_ATTEMPTS reached


def enqueue(
    session: AsyncSession, channel: str, chat_id: str | int, payload: dict[str, Any], now: datetime,
) -> OutboxMessage:
    row = OutboxMessage(
        channel=channel, chat_id=str(chat_id), payload=payload, status=OutboxStatus.PENDING, attempts=0,
        next_attempt_at=now, created_at=now,
    )
    session.add(row)
    return row


async def claim(
    sessions: async_sessionmaker[AsyncSession], channel: str, now: datetime, *, limit: int = 50,
    lease: timedelta = timedelta(seconds=60),
) -> list[OutboxMessage]:
    """Lease due rows of `channel`, at most one (the oldest pending) per chat."""
    earlier = aliased(OutboxMessage)
    oldest_of_chat = ~exists().where(and_(
        earlier.channel == OutboxMessage.channel, earlier.chat_id == OutboxMessage.chat_id,
        earlier.status == OutboxStatus.PENDING, earlier.id < OutboxMessage.id,
    ))
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel, OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            (OutboxMessage.locked_until.is_(None)) | (OutboxMessage.locked_until <= now),
            oldest_of_chat,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with sessions.begin() as session:
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id))
        return list(rows)


async def mark_sent(
    sessions: async_sessionmaker[AsyncSession], row_id: int, now: datetime, result: dict[str, Any] | None = None,
) -> None:
    async with sessions.begin() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
            status=OutboxStatus.SENT, sent_at=now, locked_until=None, result=result,
            attempts=OutboxMessage.attempts + 1,
        ))


async def mark_retry(
    sessions: async_sessionmaker[AsyncSession], row_id: int, now: datetime, delay: float, error: str,
    *, count_attempt: bool = True,
) -> str:
    """Schedule another attempt after `delay` seconds; give up after MAX_ATTEMPTS. Returns the new status."""
    async with sessions.begin() as session:
        row = await session.get(OutboxMessage, row_id)
        if row is None:
            raise LookupError(f"outbox row {row_id} does not exist")
        if count_attempt:
            row.attempts += 1
        row.last_error = error[:500]
        row.locked_until = None
        row.next_attempt_at = now + timedelta(seconds=delay)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
        return row.status


async def mark_failed(sessions: async_sessionmaker[AsyncSession], row_id: int, error: str) -> None:
    async with sessions.begin() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
            status=OutboxStatus.FAILED, last_error=error[:500], locked_until=None,
        ))


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    return min(cap, base * 2.0 ** max(0, attempts))
