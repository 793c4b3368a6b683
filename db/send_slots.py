"""The pace of a channel's sends, shared by every replica: a platform's limits (Telegram: about one message
a second to a chat, one every few seconds to a group, about 30 a second for the whole bot) hold for the
bot, however many processes send for it.

Table `send_slot(channel, chat_id, next_at)`: the earliest moment (epoch seconds of the service clock) the
next send to `chat_id` may go, and under chat_id "*" the channel's own next free moment. A sender books in
the transaction that claims its rows (`db.outbox.settle_and_claim`), so pacing adds no transaction:

- a chat whose next moment has not come is not claimed (`not_waiting`): its row waits in the table, not in a
  sender, and a chat held back never holds up the others' slots;
- `book` takes the next free moments of the channel for the claimed rows, one upsert
  (`INSERT .. ON CONFLICT DO UPDATE SET next_at = max(next_at, now) + n * interval RETURNING`, atomic on
  PostgreSQL, whose row lock queues the other replicas' bookings until the commit, and on SQLite, whose
  transactions are BEGIN IMMEDIATE), then moves each chat's next moment past its send in one more upsert.

A chat has one row in flight at a time across replicas (`claim_in`), so only its sender writes its slot.
Replicas' clocks are assumed synchronised (NTP): a skew of s seconds can bring two sends s closer.
Slots past by more than `KEEP` seconds say nothing any more and are deleted as bookings go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, case, delete, exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, SendSlot

CHANNEL_WIDE = "*"  # the chat_id of a channel's own pace
KEEP = 60.0  # seconds a past slot is kept


def _insert(session: AsyncSession) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _later(a: SQLColumnExpression[float], b: SQLColumnExpression[float] | float) -> ColumnElement[float]:
    """The later of two moments (GREATEST on PostgreSQL, max() on SQLite: a CASE works on both)."""
    return case((a > b, a), else_=b)


def not_waiting(now: SQLColumnExpression[float] | float) -> ColumnElement[bool]:
    """Outbox rows whose chat may be sent to at `now` (epoch seconds; for `claim_in`)."""
    return ~exists().where(SendSlot.channel == OutboxMessage.channel, SendSlot.chat_id == OutboxMessage.chat_id,
                           SendSlot.next_at > now)


@dataclass(frozen=True)
class SendSlots:
    """The pace of one channel: `interval(chat_id)` seconds between two sends to a chat (0: no spacing),
    `global_interval` seconds between two sends of the channel."""

    channel: str
    interval: Callable[[str], float]
    global_interval: float

    async def book(self, session: AsyncSession, chats: Sequence[str], now: float) -> list[float]:
        """In the caller's transaction: the moments at which one message to each of `chats` (distinct chats,
        all `not_waiting`) goes, in order, spaced by the channel's interval from its last booking (any replica's)."""
        if not chats:
            return []
        insert = _insert(session)
        span = len(chats) * self.global_interval
        channel_wide = insert(SendSlot).values(channel=self.channel, chat_id=CHANNEL_WIDE, next_at=now + span)
        channel_wide = channel_wide.on_conflict_do_update(
            index_elements=[SendSlot.channel, SendSlot.chat_id],
            set_={"next_at": _later(SendSlot.next_at, now) + span})
        end = float((await session.execute(channel_wide.returning(SendSlot.next_at))).scalar_one())
        moments = [end - span + i * self.global_interval for i in range(len(chats))]
        spaced: dict[str, float] = {}
        for chat, at in zip(chats, moments, strict=True):
            if (interval := self.interval(chat)) > 0:
                spaced[chat] = max(spaced.get(chat, 0.0), at + interval)
        if spaced:
            chat_slots = insert(SendSlot).values(
                [{"channel": self.channel, "chat_id": chat, "next_at": at} for chat, at in spaced.items()])
            await session.execute(chat_slots.on_conflict_do_update(
                index_elements=[SendSlot.channel, SendSlot.chat_id],
                set_={"next_at": _later(SendSlot.next_at, chat_slots.excluded.next_at)}))
        await session.execute(delete(SendSlot).where(
            SendSlot.channel == self.channel, SendSlot.next_at < now - KEEP, SendSlot.chat_id != CHANNEL_WIDE,
        ).execution_options(synchronize_session=False))
        return moments
