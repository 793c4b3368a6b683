"""Handle an inbound update once: webhooks are retried and polls can repeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ProcessedUpdate


async def first_time(session: AsyncSession, channel: str, update_id: str | int, now: datetime) -> bool:
    """Record the update id in the caller's transaction; False if it was handled before."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(ProcessedUpdate).values(channel=channel, update_id=str(update_id), at=now)
        .on_conflict_do_nothing().returning(ProcessedUpdate.update_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
