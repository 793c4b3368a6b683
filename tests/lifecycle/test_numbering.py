"""Letter numbers follow Palangka Raya's calendar (WIB, UTC+7), as the letter's date does:
at the turn of the year the number's Roman month and year, and the sequence, are the new
year's as soon as it is 1 January in Palangka Raya (17:00 UTC on 31 December)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import build_services
from config.settings import Settings, StorageSettings
from db.models import NumberSequence
from flows.dates import local_date
from lifecycle.service import RequestLifecycle
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident, make_staff

BEFORE = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 WIB, 31 December 2026
AFTER = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 WIB, 1 January 2027
FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "keperluan": "Beasiswa"}


async def test_the_number_takes_the_month_and_year_of_palangka_raya(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(BEFORE)
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=clock)
    resident = await make_resident(sessions)
    staff = await make_staff(sessions)
    reqs = [
        await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields=FIELDS)
        for _ in range(3)
    ]
    assert (await lifecycle.approve(reqs[0].id, staff)).number == "400.12.2.2/001/BT/XII/2026"
    assert (await lifecycle.approve(reqs[1].id, staff)).number == "400.12.2.2/002/BT/XII/2026"
    clock.now = AFTER  # still 31 December in UTC
    assert (await lifecycle.approve(reqs[2].id, staff)).number == "400.12.2.2/001/BT/I/2027"
    async with sessions() as s:
        sequences = (await s.execute(select(NumberSequence.year, NumberSequence.last_value)
                                     .order_by(NumberSequence.year))).all()
    assert [tuple(row) for row in sequences] == [(2026, 2), (2027, 1)]


async def test_a_letter_issued_at_new_year_has_its_number_and_date_in_the_same_year(
    tmp_path: Path, db_url: str,
) -> None:
    storage = StorageSettings(data_dir=tmp_path / "data", database_url=db_url)
    services = build_services(Settings(_env_file=None, storage=storage), clock=FixedClock(AFTER))
    resident = await make_resident(services.sessions)
    staff = await make_staff(services.sessions)
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=FIELDS)
    await services.lifecycle.approve(req.id, staff)
    letter = await services.issuing.issue(req.id)
    record = await services.records.get_by_public_id(letter.public_id)
    await services.aclose()
    assert letter.number == "400.12.2.2/001/BT/I/2027"
    assert local_date(letter.issued_at) == date(2027, 1, 1)
    assert record is not None and record.issued_on == date(2027, 1, 1) and record.number == letter.number
