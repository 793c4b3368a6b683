"""The reminder the day before a visit: a durable follow-up due at 16.00 WIB the day before (at once
when the visit was booked later than that), which writes the reminder to the resident's chat.
A cancelled (or already held) visit is not reminded; a reminder is sent once (`reminded_at`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.follow_ups import Job, schedule
from db.models import Kelurahan, Resident, VisitBooking
from db.outbound import TextOut
from db.outbox import enqueue
from flows import Catalogue
from flows.dates import WIB
from lifecycle.service import Clock
from visits import texts

VISIT_REMINDER = "visit_reminder"
REMIND_AT = time(16, 0)  # WIB, the day before


def reminder_due(slot_start: datetime) -> datetime:
    """16.00 WIB on the day before the visit."""
    day_before = slot_start.astimezone(WIB).date() - timedelta(days=1)
    return datetime.combine(day_before, REMIND_AT, WIB)


async def schedule_reminder(session: AsyncSession, booking: VisitBooking, now: datetime) -> None:
    await schedule(session, VISIT_REMINDER, f"{VISIT_REMINDER}:{booking.id}", now,
                   payload={"booking_id": booking.id}, due=reminder_due(booking.slot_start))


class VisitReminders:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue, clock: Clock) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.clock = clock

    async def remind(self, job: Job) -> None:
        """Follow-up handler: the reminder, if the visit is still booked and was not reminded yet."""
        now = self.clock()
        async with self.sessions.begin() as session:
            marked = await session.execute(
                update(VisitBooking).where(VisitBooking.id == int(job.payload["booking_id"]),
                                           VisitBooking.status == "booked", VisitBooking.reminded_at.is_(None),
                                           VisitBooking.slot_start > now)
                .values(reminded_at=now).execution_options(synchronize_session=False))
            if not getattr(marked, "rowcount", 0):
                return  # cancelled, held, past, or reminded already
            booking = await session.get(VisitBooking, int(job.payload["booking_id"]))
            if booking is None:
                return
            resident = await session.get(Resident, booking.resident_id)
            kel = await session.get(Kelurahan, booking.kelurahan_id)
            letter = self.catalogue.get(booking.letter_type)
            if resident is None or kel is None:
                return
            text = texts.reminder(booking.code, booking.slot_start, letter.title if letter else booking.letter_type,
                                  kel.name, kel.address, letter.requirements if letter else [])
            await enqueue(session, resident.channel, resident.external_id, TextOut(text=text), now)
