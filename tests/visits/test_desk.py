"""The kelurahan's visits of a day, marked done or missed by its own staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, NotAuthorized
from tests.support.lifecycle import make_staff
from tests.visits.world import MONDAY, MONDAY_8, World
from visits.desk import VisitDesk, VisitStatus


def staff_id(actor: Actor) -> int:
    assert actor.id is not None
    return actor.id


def desk(world: World) -> VisitDesk:
    assert world.services.visit_desk is not None
    return world.services.visit_desk


async def test_the_day_lists_the_visits_and_staff_mark_them(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8 + timedelta(minutes=30))
    await world.to_slots("w2")
    await world.pick("w2", MONDAY_8)
    await world.to_slots("w3", "bukit-tunggal")
    await world.pick("w3", MONDAY_8)
    day = await desk(world).day("menteng", MONDAY)
    assert [(r.start.strftime("%H.%M"), r.letter_title, r.status) for r in day] == [
        ("08.00", "Ahli Waris", VisitStatus.BOOKED), ("08.30", "Ahli Waris", VisitStatus.BOOKED)]
    assert await desk(world).day("menteng", MONDAY + timedelta(days=1)) == []
    staff = await make_staff(world.services.sessions, "menteng")
    world.clock.now = MONDAY_8 + timedelta(hours=2)
    assert (await desk(world).mark(day[0].id, staff_id(staff), VisitStatus.DONE)).status == "done"
    assert (await desk(world).mark(day[1].id, staff_id(staff), VisitStatus.MISSED)).status == "missed"
    with pytest.raises(IllegalTransition):
        await desk(world).mark(day[0].id, staff_id(staff), VisitStatus.MISSED)  # decided already
    assert [r.status for r in await desk(world).day("menteng", MONDAY)] == [VisitStatus.DONE, VisitStatus.MISSED]


async def test_staff_of_another_kelurahan_cannot_mark(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    [row] = await desk(world).day("menteng", MONDAY)
    other = await make_staff(world.services.sessions, "bukit-tunggal")
    with pytest.raises(NotAuthorized):
        await desk(world).mark(row.id, staff_id(other), VisitStatus.DONE)
    assert (await world.bookings())[0].status == "booked"


async def test_a_visit_is_not_marked_missed_before_its_time(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    [row] = await desk(world).day("menteng", MONDAY)
    staff = await make_staff(world.services.sessions, "menteng")
    with pytest.raises(IllegalTransition):
        await desk(world).mark(row.id, staff_id(staff), VisitStatus.MISSED)


async def test_a_cancelled_visit_is_listed_only_when_asked_for(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    await world.say("w1", "batal kunjungan", "1")
    assert await desk(world).day("menteng", MONDAY) == []
    assert [r.status for r in await desk(world).day("menteng", MONDAY, cancelled=True)] == [VisitStatus.CANCELLED]
