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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, Table, bindparam, case, delete, exists
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, SendSlot
from db.upserts import Insert, of_session, per_dialect

CHANNEL_WIDE = "*"  # the chat_id of a channel's own pace
KEEP = 60.0  # seconds a past slot is kept


def _later(a: SQLColumnExpression[float], b: SQLColumnExpression[float] | float) -> ColumnElement[float]:
    """The later of two moments (GREATEST on PostgreSQL, max() on SQLite: a CASE works on both)."""
    return case((a > b, a), else_=b)


def not_waiting(now: SQLColumnExpression[float] | float) -> ColumnElement[bool]:
    """Outbox rows whose chat may be sent to at `now` (epoch seconds; for `claim_in`)."""
    outbox: Table = OutboxMessage.__table__  # type: ignore[assignment]
    return ~exists().where(_SLOTS.c.channel == outbox.c.channel, _SLOTS.c.chat_id == outbox.c.chat_id,
                           _SLOTS.c.next_at > now)


_SLOTS: Table = SendSlot.__table__  # type: ignore[assignment]
PRUNE_EVERY = KEEP / 4  # seconds between two deletions of past slots by one process


def _statements(insert: Insert) -> tuple[Any, Any, Any]:
    """Core statements built once per dialect, their values bound at each call: the channel's own slot moved
    `span` on (RETURNING its end), one chat's slot moved past its send (run for every chat at once), the
    deletion of slots long past."""
    t = _SLOTS
    wide = insert(t).values(channel=bindparam("of_channel"), chat_id=CHANNEL_WIDE, next_at=bindparam("first_end"))
    wide = wide.on_conflict_do_update(index_elements=[t.c.channel, t.c.chat_id],
                                      set_={"next_at": _later(t.c.next_at, bindparam("now")) + bindparam("span")})
    chat = insert(t).values(channel=bindparam("of_channel"), chat_id=bindparam("chat"), next_at=bindparam("at"))
    chat = chat.on_conflict_do_update(index_elements=[t.c.channel, t.c.chat_id],
                                      set_={"next_at": _later(t.c.next_at, chat.excluded.next_at)})
    prune = delete(t).where(t.c.channel == bindparam("of_channel"), t.c.next_at < bindparam("before"),
                            t.c.chat_id != CHANNEL_WIDE)
    return wide.returning(t.c.next_at), chat, prune


_STATEMENTS = per_dialect(_statements)


@dataclass
class SendSlots:
    """The pace of one channel: `interval(chat_id)` seconds between two sends to a chat (0: no spacing),
    `global_interval` seconds between two sends of the channel."""

    channel: str
    interval: Callable[[str], float]
    global_interval: float
    _pruned_at: float = field(default=float("-inf"), init=False, repr=False, compare=False)

    async def book(self, session: AsyncSession, chats: Sequence[str], now: float) -> list[float]:
        """In the caller's transaction: the moments at which one message to each of `chats` (distinct chats,
        all `not_waiting`) goes, in order, spaced by the channel's interval from its last booking (any replica's)."""
        if not chats:
            return []
        wide, chat_slot, prune = of_session(_STATEMENTS, session)
        span = len(chats) * self.global_interval
        end = float((await session.execute(wide, {"of_channel": self.channel, "first_end": now + span, "now": now,
                                                  "span": span})).scalar_one())
        moments = [end - span + i * self.global_interval for i in range(len(chats))]
        spaced: dict[str, float] = {}
        for chat, at in zip(chats, moments, strict=True):
            if (interval := self.interval(chat)) > 0:
                spaced[chat] = max(spaced.get(chat, 0.0), at + interval)
        if spaced:  # one statement for every chat (executemany)
            await session.execute(chat_slot, [{"of_channel": self.channel, "chat": chat, "at": at}
                                              for chat, at in spaced.items()])
        if now - self._pruned_at >= PRUNE_EVERY:  # housekeeping: now and then, not at every booking
            await session.execute(prune, {"of_channel": self.channel, "before": now - KEEP})
            self._pruned_at = now
        return moments
