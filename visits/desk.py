"""The kelurahan's side of visits (no pages here: the staff desk builds on this): the visits of a day,
and marking one done or missed. Only an active staff member of the visit's kelurahan may mark it
(the rule of `moderation.service.ModerationService.staff_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Kelurahan, Resident, Staff, VisitBooking
from flows import Catalogue
from flows.dates import WIB
from lifecycle.errors import IllegalTransition, NotAuthorized, NotFound
from lifecycle.service import Clock


class VisitStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"  # the resident came
    MISSED = "missed"  # the resident did not come


@dataclass(frozen=True)
class VisitRow:
    id: int
    code: str
    start: datetime  # aware, WIB
    letter_title: str
    resident_name: str  # the chat name (empty before consent); never the NIK
    status: VisitStatus


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments that bound `day` in WIB."""
    first = datetime.combine(day, time(), WIB).astimezone(UTC)
    return first, first + timedelta(days=1)


class VisitDesk:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue, clock: Clock) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.clock = clock

    async def day(self, kelurahan_slug: str, day: date, *, cancelled: bool = False) -> list[VisitRow]:
        """The visits of a kelurahan on `day` (WIB), by time; cancelled ones only when asked for."""
        first, end = day_bounds(day)
        async with self.sessions() as s:
            kel_id = await s.scalar(select(Kelurahan.id).where(Kelurahan.slug == kelurahan_slug))
            if kel_id is None:
                raise NotFound(f"Kelurahan {kelurahan_slug} tidak ditemukan")
            query = (select(VisitBooking, Resident.display_name)
                     .join(Resident, Resident.id == VisitBooking.resident_id)
                     .where(VisitBooking.kelurahan_id == kel_id, VisitBooking.slot_start >= first,
                            VisitBooking.slot_start < end).order_by(VisitBooking.slot_start, VisitBooking.id))
            if not cancelled:
                query = query.where(VisitBooking.status != VisitStatus.CANCELLED.value)
            rows = (await s.execute(query)).all()
        return [VisitRow(b.id, b.code, b.slot_start.astimezone(WIB), self._title(b.letter_type), name or "",
                         VisitStatus(b.status)) for b, name in rows]

    async def staff_for(self, session: AsyncSession, booking: VisitBooking, staff_id: int) -> Staff:
        """The active staff member `staff_id` of the visit's kelurahan, or NotAuthorized."""
        staff = await session.scalar(select(Staff).where(
            Staff.id == staff_id, Staff.kelurahan_id == booking.kelurahan_id, Staff.active.is_(True)))
        if staff is None:
            raise NotAuthorized("Anda tidak terdaftar sebagai petugas kelurahan ini")
        return staff

    async def mark(self, booking_id: int, staff_id: int, outcome: VisitStatus) -> VisitBooking:
        """Record that the resident came (`DONE`) or did not (`MISSED`); a booked visit only (of two staff
        marking at once, one wins). A visit is marked missed only once its time has begun."""
        if outcome not in (VisitStatus.DONE, VisitStatus.MISSED):
            raise ValueError(f"a visit is marked done or missed, not {outcome}")
        now = self.clock()
        async with self.sessions.begin() as s:
            booking = await s.get(VisitBooking, booking_id)
            if booking is None:
                raise NotFound(f"Kunjungan {booking_id} tidak ditemukan")
            staff = await self.staff_for(s, booking, staff_id)
            if outcome is VisitStatus.MISSED and booking.slot_start > now:
                raise IllegalTransition("missed", "belum waktunya")
            changed = await s.execute(
                update(VisitBooking)
                .where(VisitBooking.id == booking.id, VisitBooking.status == VisitStatus.BOOKED.value)
                .values(status=outcome.value, marked_by=staff.id, updated_at=now)
                .execution_options(synchronize_session=False))
            if not getattr(changed, "rowcount", 0):
                raise IllegalTransition(outcome.value, booking.status)
        async with self.sessions() as s:
            marked = await s.get(VisitBooking, booking_id)
            assert marked is not None
            return marked

    def _title(self, letter_type: str) -> str:
        t = self.catalogue.get(letter_type)
        return t.short_title if t else letter_type
