"""A kelurahan's visit slots: opening hours per weekday (rows of `visit_schedule`, else the defaults),
closed on weekends and on holidays (national or of the kelurahan), in WIB; how many places are left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Holiday, VisitSchedule, VisitSlotCount
from flows.dates import WIB

DAYS_AHEAD = 14


@dataclass(frozen=True)
class Hours:
    open_minute: int
    close_minute: int
    slot_minutes: int = 30
    capacity: int = 4

    def starts(self, day: date) -> list[datetime]:
        """The slot starts of `day` (aware, WIB); a slot ends by closing time."""
        first = datetime.combine(day, time(), WIB)
        m, out = self.open_minute, []
        while m + self.slot_minutes <= self.close_minute and self.slot_minutes > 0:
            out.append(first + timedelta(minutes=m))
            m += self.slot_minutes
        return out


# Monday-Thursday 08.00-15.00, Friday 08.00-11.00, closed on the weekend (weekday 0 = Monday).
DEFAULT_HOURS: dict[int, Hours] = {**{d: Hours(8 * 60, 15 * 60) for d in range(4)}, 4: Hours(8 * 60, 11 * 60)}


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


async def hours_of(session: AsyncSession, kelurahan_id: int) -> dict[int, Hours]:
    """The kelurahan's hours by weekday: its own rows over the defaults."""
    hours = dict(DEFAULT_HOURS)
    for row in await session.scalars(select(VisitSchedule).where(VisitSchedule.kelurahan_id == kelurahan_id)):
        hours[row.weekday] = Hours(row.open_minute, row.close_minute, row.slot_minutes, row.capacity)
    return hours


async def closed_days(session: AsyncSession, kelurahan_id: int, first: date, last: date) -> set[date]:
    rows = await session.scalars(select(Holiday.day).where(
        Holiday.day >= first, Holiday.day <= last,
        or_(Holiday.kelurahan_id.is_(None), Holiday.kelurahan_id == kelurahan_id)))
    return set(rows)


async def slots(session: AsyncSession, kelurahan_id: int, now: datetime, days: int = DAYS_AHEAD) -> list[Slot]:
    """Every slot of the next `days` days (today included, WIB) that starts after `now`, full ones too."""
    today = now.astimezone(WIB).date()
    last = today + timedelta(days=days - 1)
    hours = await hours_of(session, kelurahan_id)
    closed = await closed_days(session, kelurahan_id, today, last)
    counts = {_utc(r.slot_start): r.booked for r in await session.scalars(select(VisitSlotCount).where(
        VisitSlotCount.kelurahan_id == kelurahan_id, VisitSlotCount.slot_start >= now))}
    out: list[Slot] = []
    for i in range(days):
        day = today + timedelta(days=i)
        h = hours.get(day.weekday())
        if h is None or day in closed:
            continue
        for start in h.starts(day):
            utc = start.astimezone(UTC)
            if utc > now:
                out.append(Slot(utc, h.capacity, counts.get(utc, 0)))
    return out


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
