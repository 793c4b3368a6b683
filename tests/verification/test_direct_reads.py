"""The public lookup's direct reads (`db.direct_reads`, as the service reads: `bot.composition`) give the records
the session path gives, on both backends: a letter about its applicant, one about a child, a revoked one, a
replaced one, by public id and by number; they never wait for a writer; a broken PostgreSQL connection is
replaced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.direct_reads import DirectReads
from db.directory import add_staff
from db.engine import make_engine
from db.models import Kelurahan, Letter, Resident, Staff
from lifecycle.actors import Actor
from tests.support.issuing import CATALOGUE, IssuingStack, issuing_stack
from tests.support.letter_samples import stored_fields
from tests.support.lifecycle import FixedClock
from verification.db_source import DbRecordSource
from verification.subjects import subjects_of


@pytest.fixture
async def stack(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[IssuingStack]:
    made = issuing_stack(sessions, tmp_path, FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC)))
    yield made
    await made.aclose()


async def issue(stack: IssuingStack, staff: Staff, chat: str, letter_type: str = "sktm", **fields: str) -> Letter:
    clock = stack.lifecycle.clock
    async with stack.lifecycle.sessions.begin() as s:
        resident = Resident(channel="telegram", external_id=chat, profile={}, created_at=clock())
        s.add(resident)
        await s.flush()
    req = await stack.lifecycle.submit_new(Actor.resident(resident.id), kelurahan_slug="bukit-tunggal",
                                           letter_type=letter_type,
                                           fields=stored_fields(CATALOGUE[letter_type]) | fields)
    await stack.lifecycle.approve(req.id, Actor.staff(staff.id, staff.kelurahan_id, staff.name))
    assert isinstance(clock, FixedClock)
    clock.now += timedelta(minutes=1)
    return await stack.issuing.issue(req.id)


def by_session(stack: IssuingStack) -> DbRecordSource:
    return DbRecordSource(stack.lifecycle.sessions, {t.code: t.title for t in CATALOGUE}, subjects_of(CATALOGUE))


async def test_direct_reads_give_the_records_a_session_gives(stack: IssuingStack) -> None:
    assert stack.source._direct is not None  # the service's way (both backends)
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    first, second, third = [await issue(stack, staff, chat) for chat in ("1", "2", "3")]
    child = await issue(stack, staff, "4", "kelahiran", nama_anak="Budi Santoso")
    await stack.issuing.revoke(second.number, Actor.operator("rina"), "Data pemohon tidak benar")
    await stack.issuing.supersede(first.number, third.number, Actor.operator("rina"))
    session = by_session(stack)
    for letter in (first, second, third, child):
        direct = await stack.source.get_by_public_id(letter.public_id)
        assert direct is not None and direct == await session.get_by_public_id(letter.public_id)
        assert direct == await stack.source.get_by_number(letter.number) == await session.get_by_number(letter.number)
    kid = await stack.source.get_by_public_id(child.public_id)
    assert kid is not None and kid.subject_label == "Nama anak" and kid.subject_name_masked == "BUDI S***"
    revoked = await stack.source.get_by_public_id(second.public_id)
    assert revoked is not None and revoked.status == "revoked" and revoked.revoked_reason == "Data pemohon tidak benar"
    replaced = await stack.source.get_by_public_id(first.public_id)
    assert replaced is not None and replaced.replaced_by_number == third.number and replaced.replaced_at
    assert await stack.source.get_by_public_id("A" * 26) is None and await stack.source.get_by_number("x") is None


async def test_a_direct_read_does_not_wait_for_a_writer(stack: IssuingStack) -> None:
    """On SQLite a read in autocommit takes no lock: it answers while a chat's transaction holds the write lock."""
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    letter = await issue(stack, staff, "1")
    async with stack.lifecycle.sessions.begin() as writer:
        await writer.execute(update(Kelurahan).where(Kelurahan.slug == "menteng").values(phone="0536 1"))
        record = await asyncio.wait_for(stack.source.get_by_public_id(letter.public_id), timeout=5)
    assert record is not None and record.number == letter.number


async def test_a_broken_connection_is_replaced(stack: IssuingStack, engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite's is a file in this process)")
    staff = await add_staff(stack.lifecycle.sessions, "bukit-tunggal", name="Rina", role="lurah")
    letter = await issue(stack, staff, "1")
    assert await stack.source.get_by_public_id(letter.public_id) is not None
    async with engine.connect() as conn:  # the server ends every other connection to this database (a restart)
        await conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    record = await stack.source.get_by_public_id(letter.public_id)
    assert record is not None and record.number == letter.number


async def test_sqlite_in_memory_has_no_direct_reads() -> None:
    engine = make_engine("sqlite+aiosqlite://")
    assert DirectReads.for_engine(engine) is None
    await engine.dispose()
