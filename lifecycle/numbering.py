"""Letter numbers: `<classification>/<seq>/<unit>/<month roman>/<year>`, allocated inside
the approval transaction from a per-kelurahan, per-year sequence.

The upsert `INSERT .. ON CONFLICT DO UPDATE SET last_value = last_value + 1 RETURNING`
is atomic on both PostgreSQL (the row lock is held until commit, so concurrent approvals
queue and a rolled-back approval gives its number back: no gaps) and SQLite (every
transaction is BEGIN IMMEDIATE).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NumberSequence

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
DEFAULT_PATTERN = "{kode}/{seq:03d}/{unit}/{month_roman}/{year}"


def format_number(pattern: str, *, kode: str, seq: int, unit: str, when: datetime) -> str:
    return pattern.format(
        kode=kode, seq=seq, unit=unit, month_roman=ROMAN_MONTHS[when.month - 1],
        month=when.month, year=when.year,
    )


async def next_sequence(session: AsyncSession, kelurahan_id: int, year: int) -> int:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(NumberSequence).values(kelurahan_id=kelurahan_id, year=year, last_value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[NumberSequence.kelurahan_id, NumberSequence.year],
        set_={"last_value": NumberSequence.last_value + 1},
    ).returning(NumberSequence.last_value)
    return int((await session.execute(stmt)).scalar_one())
