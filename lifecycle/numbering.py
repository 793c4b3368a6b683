"""Letter numbers: `<classification>/<seq>/<unit>/<month roman>/<year>` (the kelurahan's
pattern, `db.models.DEFAULT_NUMBERING_PATTERN` unless changed), allocated inside the
approval transaction from a per-kelurahan, per-year sequence.

The month and the year are those of Palangka Raya's calendar (WIB), as is the letter's
date: a letter approved at 00:30 WIB on 1 January (17:30 UTC on 31 December) is numbered
in the new year, and its sequence restarts there.

The upsert `INSERT .. ON CONFLICT DO UPDATE SET last_value = last_value + 1 RETURNING`
is atomic on both PostgreSQL (the row lock is held until commit, so concurrent approvals
queue and a rolled-back approval gives its number back: no gaps) and SQLite (every
transaction is BEGIN IMMEDIATE).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NumberSequence
from db.upserts import insert_for
from flows.dates import local_date

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def format_number(pattern: str, *, kode: str, seq: int, unit: str, when: datetime) -> str:
    """The number of a letter approved at the aware moment `when` (month and year in WIB)."""
    day = local_date(when)
    return pattern.format(
        kode=kode, seq=seq, unit=unit, month_roman=ROMAN_MONTHS[day.month - 1], month=day.month, year=day.year,
    )


async def next_sequence(session: AsyncSession, kelurahan_id: int, when: datetime) -> int:
    """The next sequence value of the kelurahan in the year (in WIB) of the aware moment `when`."""
    year = local_date(when).year
    insert = insert_for(session)
    upsert = insert(NumberSequence).values(kelurahan_id=kelurahan_id, year=year, last_value=1).on_conflict_do_update(
        index_elements=[NumberSequence.kelurahan_id, NumberSequence.year],
        set_={"last_value": NumberSequence.last_value + 1},
    )
    return int((await session.execute(upsert.returning(NumberSequence.last_value))).scalar_one())
