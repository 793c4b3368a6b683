"""Handle an inbound update once: webhooks are retried and polls can repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ProcessedUpdate
from db.upserts import Insert, of_session, per_dialect

_TABLE: Table = ProcessedUpdate.__table__  # type: ignore[assignment]


def _record(insert: Insert) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING, built once per dialect (its values bound at each call); a
    Core statement on the table (the ORM's bulk-insert path costs more than the statement)."""
    return (
        insert(_TABLE).values(channel=bindparam("of_channel"), update_id=bindparam("of_update"), at=bindparam("now"))
        .on_conflict_do_nothing().returning(_TABLE.c.update_id)
    )


_RECORD = per_dialect(_record)


async def first_time(session: AsyncSession, channel: str, update_id: str | int, now: datetime) -> bool:
    """Record the update id in the caller's transaction; False if it was handled before."""
    params = {"of_channel": channel, "of_update": str(update_id), "now": now}
    return (await session.execute(of_session(_RECORD, session), params)).scalar_one_or_none() is not None
