"""A large data set for `bench_statistik.py`: 10,000 generated requests (`tests.support.stats_data`, the
set the statistics test checks figure by figure) copied by the database itself until there are `total`
(INSERT ... SELECT with a numbers table: seconds for 1,000,000 rows, where row-by-row inserts take minutes)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import make_sessionmaker
from flows import load_catalogue
from tests.support.stats_data import generate

BASE = 10_000
COPIED = ("kelurahan_id, resident_id, channel, letter_type, fields, status, note, fields_to_fix, reason, created_at, "
          "updated_at, submitted_at, decided_at, decision_seconds, decision_work_seconds, issue_seconds, "
          "issue_work_seconds, within_service_time")


async def fill(engine: AsyncEngine, total: int) -> int:
    """Fill a migrated, empty database with `total` requests (a multiple of 10,000); returns the count."""
    await generate(make_sessionmaker(engine), load_catalogue(), n=BASE, seed=16, batch=BASE)
    copies = max(total // BASE - 1, 0)
    if copies:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TEMPORARY TABLE copy_no (k INTEGER PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO copy_no (k) VALUES (:k)"), [{"k": k} for k in range(1, copies + 1)])
            await conn.execute(text(
                f"INSERT INTO letter_request (code, {COPIED}) "
                f"SELECT r.code || '-' || c.k, {', '.join('r.' + c.strip() for c in COPIED.split(','))} "
                "FROM letter_request r CROSS JOIN copy_no c"))
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM letter_request"))).scalar_one())
