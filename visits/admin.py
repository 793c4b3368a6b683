"""Administering visits (the command line): closed days, a kelurahan's opening hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Holiday, Kelurahan, VisitSchedule
from lifecycle.errors import NotFound


async def _kelurahan_id(session: AsyncSession, slug: str | None) -> int | None:
    if slug is None:
        return None
    kel_id = await session.scalar(select(Kelurahan.id).where(Kelurahan.slug == slug))
    if kel_id is None:
        raise NotFound(f"Kelurahan {slug} tidak ditemukan (lihat: esurat kelurahan list)")
    return kel_id


async def add_holiday(sessions: async_sessionmaker[AsyncSession], day: date, name: str,
                      kelurahan_slug: str | None = None) -> bool:
    """Close `day` (every kelurahan, or only `kelurahan_slug`); False when it was closed already."""
    async with sessions.begin() as s:
        kel_id = await _kelurahan_id(s, kelurahan_slug)
        same = await s.scalar(select(Holiday.id).where(
            Holiday.day == day, Holiday.kelurahan_id.is_(None) if kel_id is None else Holiday.kelurahan_id == kel_id))
        if same is not None:
            return False
        s.add(Holiday(day=day, kelurahan_id=kel_id, name=name))
        return True


async def list_holidays(sessions: async_sessionmaker[AsyncSession], since: date,
                        kelurahan_slug: str | None = None) -> list[tuple[date, str, str]]:
    """(day, name, kelurahan name or "") of the closed days from `since`."""
    async with sessions() as s:
        kel_id = await _kelurahan_id(s, kelurahan_slug)
        query = (select(Holiday.day, Holiday.name, Kelurahan.name)
                 .outerjoin(Kelurahan, Kelurahan.id == Holiday.kelurahan_id)
                 .where(Holiday.day >= since).order_by(Holiday.day))
        if kel_id is not None:
            query = query.where(or_(Holiday.kelurahan_id.is_(None), Holiday.kelurahan_id == kel_id))
        return [(day, name, kel or "") for day, name, kel in await s.execute(query)]


async def set_hours(sessions: async_sessionmaker[AsyncSession], slug: str, weekday: int, open_minute: int,
                    close_minute: int, slot_minutes: int, capacity: int) -> None:
    """A kelurahan's visit hours on one weekday (0 = Monday); open == close: closed that day."""
    if not (0 <= open_minute <= close_minute <= 24 * 60 and slot_minutes > 0 and capacity > 0):
        raise ValueError("Jam buka/tutup, lama slot atau kapasitas tidak valid")
    async with sessions.begin() as s:
        kel_id = await _kelurahan_id(s, slug)
        assert kel_id is not None
        row = await s.scalar(select(VisitSchedule).where(VisitSchedule.kelurahan_id == kel_id,
                                                         VisitSchedule.weekday == weekday))
        if row is None:
            row = VisitSchedule(kelurahan_id=kel_id, weekday=weekday)
            s.add(row)
        row.open_minute, row.close_minute, row.slot_minutes, row.capacity = (open_minute, close_minute,
                                                                             slot_minutes, capacity)
