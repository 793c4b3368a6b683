"""Whether this process can serve (`/readyz`): the database answers within a moment and its schema is at the
newest migration. A load balancer sends no traffic to a replica that is not ready."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.health import is_unavailable
from db.migrate import head_revision

TIMEOUT = 2.0  # seconds


async def readiness(engine: AsyncEngine) -> tuple[bool, str]:
    """(ready, why not, in Indonesian; or the schema's revision when ready)."""
    try:
        async with asyncio.timeout(TIMEOUT), engine.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except TimeoutError:
        return False, "basis data tidak menjawab"
    except Exception as e:  # noqa: BLE001 - any failure: not ready (said without its details)
        return False, "basis data tidak dapat dihubungi" if is_unavailable(e) else "skema basis data tidak terbaca"
    if current != head_revision():
        return False, f"skema basis data belum diperbarui (di {current}, perlu {head_revision()})"
    return True, str(current)
