"""Which slots a kelurahan offers: the default hours (Monday-Thursday 08.00-15.00, Friday 08.00-11.00,
30 minutes, 4 places), its own hours, closed on the weekend and on holidays (national or its own)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from db.models import Holiday
from flows.dates import WIB
from tests.visits.world import MONDAY, World
from visits.schedule import slots


async def days_offered(world: World, slug: str = "menteng") -> Counter[date]:
    kel_id = await world.kelurahan_id(slug)
    async with world.services.sessions() as s:
        return Counter(x.start.astimezone(WIB).date() for x in await slots(s, kel_id, world.clock()))


async def test_the_default_hours_and_a_closed_weekend(world: World) -> None:
    offered = await days_offered(world)
    assert min(offered) == MONDAY and max(offered) <= MONDAY + timedelta(days=12)
    assert offered[MONDAY] == 14 and offered[MONDAY + timedelta(days=4)] == 6  # Friday 08.00-11.00
    assert not any(d.weekday() >= 5 for d in offered)  # Saturday and Sunday closed
    assert len(offered) == 10
    kel_id = await world.kelurahan_id()
    async with world.services.sessions() as s:
        assert {x.free for x in await slots(s, kel_id, world.clock())} == {4}


async def test_a_holiday_is_closed(world: World) -> None:
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    async with world.services.sessions.begin() as s:
        s.add(Holiday(day=tuesday, kelurahan_id=None, name="Libur nasional"))
        s.add(Holiday(day=wednesday, kelurahan_id=await world.kelurahan_id("menteng"), name="Acara kelurahan"))
    offered = await days_offered(world)
    assert tuesday not in offered and wednesday not in offered and MONDAY in offered
    other = await days_offered(world, "bukit-tunggal")
    assert tuesday not in other and wednesday in other  # a kelurahan's own closed day is its own


async def test_a_kelurahan_sets_its_own_hours_and_today_offers_only_later_slots(world: World) -> None:
    await world.capacity(2)
    offered = await days_offered(world)
    assert offered[MONDAY] == 2
    world.clock.now = world.clock.now.replace(day=23, hour=1, minute=10)  # Monday 08.10 WIB
    assert (await days_offered(world))[MONDAY] == 1


async def test_no_slots_that_day_in_the_chat_on_a_holiday(world: World) -> None:
    async with world.services.sessions.begin() as s:
        s.add(Holiday(day=MONDAY, kelurahan_id=None, name="Cuti bersama"))
    await world.say("w1", "halo", "ya", "menteng", "ahli waris")
    text = await world.last("w1")
    assert "Selasa, 24 November 2026" in text and "Senin, 23 November" not in text
