"""Small builders for lifecycle tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Kelurahan, Resident, Staff
from lifecycle.actors import Actor

CLASSIFICATION = {
    "sktm": "400.12.2.2", "sku": "500.2.3", "domisili": "400.12.2.1", "pengantar_skck": "300.1.4",
    "belum_menikah": "400.12.3.3", "kelahiran": "400.12.3.1", "kematian": "400.12.3.2",
    "ahli_waris": "400.12.3.4",
}


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def kelurahan(sessions: async_sessionmaker[AsyncSession], slug: str = "bukit-tunggal") -> Kelurahan:
    async with sessions() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
        assert kel is not None
        return kel


async def make_resident(sessions: async_sessionmaker[AsyncSession], external_id: str = "1001") -> Actor:
    async with sessions.begin() as s:
        r = Resident(channel="telegram", external_id=external_id, profile={}, created_at=FixedClock()())
        s.add(r)
        await s.flush()
        return Actor.resident(r.id)


async def make_staff(
    sessions: async_sessionmaker[AsyncSession], slug: str = "bukit-tunggal", name: str = "Petugas",
) -> Actor:
    kel = await kelurahan(sessions, slug)
    async with sessions.begin() as s:
        st = Staff(kelurahan_id=kel.id, name=name, role="operator")
        s.add(st)
        await s.flush()
        return Actor.staff(st.id, kel.id, name)


async def deactivate(sessions: async_sessionmaker[AsyncSession], staff_id: int) -> None:
    """Staff member `staff_id` leaves (inactive): from now on refused everywhere."""
    async with sessions.begin() as s:
        member = await s.get(Staff, staff_id)
        assert member is not None
        member.active = False
