"""Booking a visit from the chat, on SQLite and PostgreSQL: the code, date, time, address and what to
bring; a full slot; two residents for the last place; cancelling frees the slot."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy import select

import flows
from db.models import Kelurahan, VisitSlotCount
from flows import visit_texts as v
from tests.visits.world import MONDAY_8, World
from visits.schedule import slots


async def test_a_resident_books_a_visit_and_gets_its_code(world: World) -> None:
    async with world.services.sessions.begin() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == "menteng"))
        assert kel is not None
        kel.address = "Jl. Rajawali No. 7"
    await world.to_slots("w1")
    assert "08.00 WIB (sisa 4 tempat)" in await world.last("w1")
    await world.pick("w1", MONDAY_8)
    text = await world.last("w1")
    [booking] = await world.bookings()
    assert re.fullmatch(r"KNJ-[2-9A-HJKMNP-Z]{6}", booking.code) and booking.code in text
    assert booking.status == "booked" and booking.slot_start == MONDAY_8 and booking.letter_type == "ahli_waris"
    assert "Senin, 23 November 2026 pukul 08.00 WIB" in text and "Jl. Rajawali No. 7" in text
    assert "Akta kelahiran para ahli waris" in text
    await world.to_slots("w2")
    assert "08.00 WIB (sisa 3 tempat)" in await world.last("w2")


async def test_the_same_letter_is_not_booked_twice(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8 + timedelta(minutes=30))
    assert len(await world.bookings()) == 1 and "sudah memiliki jadwal kunjungan" in await world.last("w1")


async def test_a_full_slot_is_not_offered_and_a_stale_press_is_refused(world: World) -> None:
    await world.capacity(1)
    await world.to_slots("w1")
    await world.to_slots("w2")  # both see 08.00 free
    await world.pick("w1", MONDAY_8)
    await world.pick("w2", MONDAY_8)
    assert v.SLOT_FULL in await world.last("w2") and "1. 08.30 WIB" in await world.last("w2")
    assert [b.slot_start for b in await world.bookings()] == [MONDAY_8]
    await world.to_slots("w3")
    assert "08.00" not in await world.last("w3")


async def test_the_runner_refuses_a_full_slot_in_its_transaction(world: World) -> None:
    """The capacity check itself: the engine offered the slot, but it filled up before the booking."""
    await world.capacity(1)
    await world.to_slots("w1")
    await world.to_slots("w2")
    await world.pick("w1", MONDAY_8)
    chats = world.services.conversation.chats
    assert chats.visits is not None
    async with world.services.sessions.begin() as s:
        resident = await chats.resident(s, "web", "w2")
        answer = await chats.visits.book(s, resident, flows.BookVisit(kelurahan_slug="menteng",
                                                                      letter_type="ahli_waris", start=MONDAY_8))
    assert answer == flows.VisitUnavailable(kelurahan_slug="menteng", letter_type="ahli_waris", day="2026-11-23")
    assert len(await world.bookings()) == 1


async def test_two_residents_racing_for_the_last_place_one_wins(world: World) -> None:
    await world.capacity(1)
    for chat_id in ("w1", "w2", "w3", "w4"):
        await world.to_slots(chat_id)
    await asyncio.gather(*(world.pick(chat_id, MONDAY_8) for chat_id in ("w1", "w2", "w3", "w4")))
    bookings = await world.bookings()
    assert [b.slot_start for b in bookings] == [MONDAY_8]
    losers = [c for c in ("w1", "w2", "w3", "w4") if bookings[0].code not in await world.last(c)]
    assert len(losers) == 3 and all([v.SLOT_FULL in await world.last(c) for c in losers])
    async with world.services.sessions() as s:
        count = await s.scalar(select(VisitSlotCount.booked).where(VisitSlotCount.slot_start == MONDAY_8))
    assert count == 1


async def test_cancelling_from_the_chat_frees_the_slot(world: World) -> None:
    await world.capacity(1)
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    kel_id = await world.kelurahan_id()
    async with world.services.sessions() as s:
        assert not [x for x in await slots(s, kel_id, world.clock()) if x.start == MONDAY_8 and x.free]
    code = (await world.bookings())[0].code
    await world.say("w1", "status")
    assert code in await world.last("w1")
    await world.say("w1", "batal kunjungan")
    assert code in await world.last("w1")
    await world.say("w1", "1")
    assert "dibatalkan" in await world.last("w1") and (await world.bookings())[0].status == "cancelled"
    async with world.services.sessions() as s:
        assert [x.free for x in await slots(s, kel_id, world.clock()) if x.start == MONDAY_8] == [1]
    await world.to_slots("w2")
    await world.pick("w2", MONDAY_8)
    assert [b.status for b in await world.bookings()] == ["cancelled", "booked"]
