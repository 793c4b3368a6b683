"""Booking and cancelling visits from the chat, in the conversation's transaction.

The capacity is checked by one conditional upsert of the slot's count (`visit_slot_count`): raised
only while below the capacity, so of two residents racing for the last place exactly one gets it
(on PostgreSQL the second upsert waits for the first's row lock and re-checks; SQLite runs one writer
at a time). The loser is told, and offered the slots again (a `VisitUnavailable` fed to the engine)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

import flows
from db.models import Kelurahan, Resident, VisitBooking, VisitSlotCount
from db.outbound import TextOut
from db.outbox import enqueue
from db.upserts import insert_for
from flows.commands import command_of
from flows.dates import WIB
from lifecycle.service import Clock
from visits import texts
from visits.reminders import schedule_reminder
from visits.schedule import slots

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
VISIT_STEPS = (flows.Step.LETTER, flows.Step.VISIT_DAY, flows.Step.VISIT_SLOT)


def new_code() -> str:
    """An unguessable booking code, e.g. KNJ-7QX2MA (31^6, about 887 million)."""
    return "KNJ-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


async def _take_place(session: AsyncSession, kelurahan_id: int, start: datetime, capacity: int) -> bool:
    insert = insert_for(session)
    upsert = insert(VisitSlotCount).values(kelurahan_id=kelurahan_id, slot_start=start, booked=1).on_conflict_do_update(
        index_elements=[VisitSlotCount.kelurahan_id, VisitSlotCount.slot_start],
        set_={"booked": VisitSlotCount.booked + 1}, where=VisitSlotCount.booked < capacity,
    )
    return (await session.execute(upsert.returning(VisitSlotCount.booked))).first() is not None


class VisitBookings:
    def __init__(self, catalogue: flows.Catalogue, clock: Clock) -> None:
        self.catalogue = catalogue
        self.clock = clock

    async def context(self, session: AsyncSession, resident: Resident, state: flows.ConversationState,
                      inbound: flows.Inbound) -> tuple[tuple[flows.VisitSlot, ...], tuple[flows.BookedVisit, ...]]:
        """What the engine needs about visits for this message: `Context.visit_slots` (the open slots of
        the draft's kelurahan, at the steps that offer them) and `Context.visits` (for `batal kunjungan`)."""
        now = self.clock()
        slug = inbound.kelurahan_slug if isinstance(inbound, flows.VisitUnavailable) else (
            state.draft.kelurahan_slug if state.step in VISIT_STEPS else None)
        kel_id = await session.scalar(select(Kelurahan.id).where(Kelurahan.slug == slug)) if slug else None
        open_slots = tuple(flows.VisitSlot(s.start, s.free) for s in await slots(session, kel_id, now)
                           if s.free > 0) if kel_id is not None else ()
        if state.step != flows.Step.VISIT_CANCEL and command_of(inbound) != "batal_kunjungan":
            return open_slots, ()
        rows = await session.execute(
            select(VisitBooking.code, VisitBooking.slot_start, Kelurahan.name, VisitBooking.letter_type)
            .join(Kelurahan, Kelurahan.id == VisitBooking.kelurahan_id)
            .where(VisitBooking.resident_id == resident.id, VisitBooking.status == "booked",
                   VisitBooking.slot_start > now).order_by(VisitBooking.slot_start).limit(8))
        return open_slots, tuple(flows.BookedVisit(code, start, name, self._title(lt, short=True))
                                 for code, start, name, lt in rows)

    def _title(self, letter_type: str, *, short: bool = False) -> str:
        t = self.catalogue.get(letter_type)
        return (t.short_title if short else t.title) if t else letter_type

    async def book(self, session: AsyncSession, resident: Resident, effect: flows.BookVisit) -> flows.Inbound | None:
        """Book the slot (and schedule its reminder) and tell the resident; a full slot: VisitUnavailable."""
        now = self.clock()
        kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == effect.kelurahan_slug))
        letter = self.catalogue.get(effect.letter_type)
        if kel is None or letter is None:
            raise ValueError(f"no kelurahan {effect.kelurahan_slug!r} or letter type {effect.letter_type!r}")
        day = effect.start.astimezone(WIB).date().isoformat()
        refused = flows.VisitUnavailable(kelurahan_slug=kel.slug, letter_type=letter.code, day=day)
        same = await session.scalar(select(VisitBooking).where(
            VisitBooking.resident_id == resident.id, VisitBooking.kelurahan_id == kel.id,
            VisitBooking.letter_type == letter.code, VisitBooking.status == "booked", VisitBooking.slot_start > now))
        if same is not None:
            await self._say(session, resident, texts.already(same.code, same.slot_start))
            return None
        slot = next((s for s in await slots(session, kel.id, now) if s.start == effect.start), None)
        if slot is None or not await _take_place(session, kel.id, slot.start, slot.capacity):
            return refused
        booking = VisitBooking(code=new_code(), resident_id=resident.id, kelurahan_id=kel.id, letter_type=letter.code,
                               slot_start=slot.start, status="booked", created_at=now, updated_at=now)
        session.add(booking)
        await session.flush()
        await schedule_reminder(session, booking, now)
        await self._say(session, resident, texts.booked(booking.code, booking.slot_start, letter.title, kel.name,
                                                  kel.address, letter.requirements))
        return None

    async def cancel(self, session: AsyncSession, resident: Resident, code: str) -> bool:
        """Cancel the resident's booking `code` (not yet held) and free its place; tell the resident."""
        now = self.clock()
        booking = await session.scalar(select(VisitBooking).where(VisitBooking.code == code,
                                                                  VisitBooking.resident_id == resident.id))
        done = booking is not None and bool(getattr(await session.execute(
            update(VisitBooking).where(VisitBooking.id == booking.id, VisitBooking.status == "booked",
                                       VisitBooking.slot_start > now)
            .values(status="cancelled", updated_at=now).execution_options(synchronize_session=False)),
            "rowcount", 0))
        if booking is None or not done:
            await self._say(session, resident, texts.NOT_CANCELLED)
            return False
        await free_place(session, booking.kelurahan_id, booking.slot_start)
        await self._say(session, resident, texts.cancelled(booking.code, booking.slot_start))
        return True

    async def booked_of(self, session: AsyncSession, resident: Resident) -> list[tuple[str, datetime, str]]:
        """The resident's visits still to come (code, start, letter title), for `status`."""
        rows = await session.execute(select(VisitBooking.code, VisitBooking.slot_start, VisitBooking.letter_type).where(
            VisitBooking.resident_id == resident.id, VisitBooking.status == "booked",
            VisitBooking.slot_start > self.clock()).order_by(VisitBooking.slot_start))
        return [(code, start, self._title(lt, short=True)) for code, start, lt in rows]

    async def _say(self, session: AsyncSession, resident: Resident, text: str) -> None:
        await enqueue(session, resident.channel, resident.external_id, TextOut(text=text), self.clock())


async def free_place(session: AsyncSession, kelurahan_id: int, start: datetime) -> None:
    await session.execute(
        update(VisitSlotCount).where(VisitSlotCount.kelurahan_id == kelurahan_id, VisitSlotCount.slot_start == start,
                                     VisitSlotCount.booked > 0)
        .values(booked=VisitSlotCount.booked - 1).execution_options(synchronize_session=False))
