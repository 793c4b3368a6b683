"""The reminder the day before, with an injected clock: due at 16.00 WIB the day before (at once when
booked later than that), written to the resident's chat once; none after a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import FollowUp
from tests.visits.world import MONDAY_8, World
from visits.reminders import VISIT_REMINDER, reminder_due

DUE = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # Sunday 16.00 WIB


def reminded(texts: list[str]) -> int:
    return sum(t.startswith("Pengingat: besok") for t in texts)


def test_the_reminder_is_due_at_four_the_day_before() -> None:
    assert reminder_due(MONDAY_8) == DUE
    assert reminder_due(MONDAY_8 + timedelta(hours=6)) == DUE  # 14.00 WIB, same day


async def test_the_reminder_comes_the_day_before_at_four(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    async with world.services.sessions() as s:
        row = await s.scalar(select(FollowUp).where(FollowUp.kind == VISIT_REMINDER))
    assert row is not None and row.next_attempt_at == DUE
    runner = world.services.follow_ups
    world.clock.now = DUE - timedelta(minutes=1)
    assert await runner.run_once() == 0 and reminded(await world.texts("w1")) == 0
    world.clock.now = DUE
    assert await runner.run_once() == 1
    text = await world.last("w1")
    assert reminded([text]) == 1 and (await world.bookings())[0].code in text and "08.00 WIB" in text
    world.clock.now = DUE + timedelta(hours=1)
    assert await runner.run_once() == 0 and reminded(await world.texts("w1")) == 1


async def test_a_visit_booked_after_four_the_day_before_is_reminded_at_once(world: World) -> None:
    world.clock.now = DUE + timedelta(hours=2)  # Sunday 18.00 WIB
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    assert await world.services.follow_ups.run_once() == 1 and reminded(await world.texts("w1")) == 1


async def test_a_cancelled_visit_is_not_reminded(world: World) -> None:
    await world.to_slots("w1")
    await world.pick("w1", MONDAY_8)
    await world.say("w1", "batal kunjungan", "1")
    world.clock.now = DUE
    assert await world.services.follow_ups.run_once() == 1  # the follow-up ends without a message
    assert reminded(await world.texts("w1")) == 0
