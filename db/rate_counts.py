"""What each replica's request limiters let each client spend: one row per (scope, client, minute, replica),
the replica's own total for that minute (so a publication can be repeated without counting twice), with
the moment it was last published (`at`, epoch seconds) for the others to read what changed since they last
looked. Rows of minutes before the previous one say nothing any more and are deleted. See
`verification.shared_limits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RateCount
from db.upserts import insert_for


class Count(NamedTuple):
    scope: str
    client: str
    minute: int
    replica: str
    spent: float
    at: float = 0.0  # when it was published (set by `publish`)


async def publish(session: AsyncSession, counts: Sequence[Count], now: float) -> None:
    """In the caller's transaction: set each count (a replica's total for a client and minute)."""
    if not counts:
        return
    insert = insert_for(session)(RateCount)
    upsert = insert.on_conflict_do_update(
        index_elements=[RateCount.scope, RateCount.client, RateCount.minute, RateCount.replica],
        set_={"spent": insert.excluded.spent, "at": insert.excluded.at})
    await session.execute(upsert, [c._replace(at=now)._asdict() for c in counts])


async def others(session: AsyncSession, replica: str, since: float | None, first_minute: int) -> list[Count]:
    """The counts of the replicas other than `replica` for minutes from `first_minute` on, published at or
    after `since` (None: all of them)."""
    query = select(RateCount.scope, RateCount.client, RateCount.minute, RateCount.replica, RateCount.spent,
                   RateCount.at).where(
        RateCount.replica != replica, RateCount.minute >= first_minute)
    if since is not None:
        query = query.where(RateCount.at >= since)
    return [Count(*row) for row in await session.execute(query)]


async def forget_before(session: AsyncSession, minute: int) -> None:
    """In the caller's transaction: delete the counts of minutes before `minute`."""
    await session.execute(delete(RateCount).where(RateCount.minute < minute)
                          .execution_options(synchronize_session=False))
