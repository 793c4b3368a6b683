"""Working time, WIB, Monday to Friday 08.00-16.00 (`lifecycle.service_time`): the seconds between two
moments, the moment after some working time, and the reminders' points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.dates import WIB
from lifecycle.service_time import after_working_seconds, deadline, reminder_points, working_seconds

FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=WIB)
MONDAY_9AM = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
HOUR = 3600


def test_working_time_skips_the_evening_and_the_weekend() -> None:
    assert after_working_seconds(FRIDAY_3PM, 2 * HOUR) == MONDAY_9AM
    assert working_seconds(FRIDAY_3PM, MONDAY_9AM) == 2 * HOUR
    assert after_working_seconds(FRIDAY_3PM, HOUR) == datetime(2026, 11, 27, 16, 0, tzinfo=WIB)


def test_working_time_outside_office_hours_starts_at_the_next_opening() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=WIB)
    assert after_working_seconds(saturday, 30 * 60) == datetime(2026, 11, 30, 8, 30, tzinfo=WIB)
    assert working_seconds(saturday, MONDAY_9AM) == HOUR
    evening = datetime(2026, 11, 26, 20, 0, tzinfo=WIB)
    assert working_seconds(evening, FRIDAY_3PM) == 7 * HOUR


def test_working_seconds_over_weeks_and_in_utc() -> None:
    start = FRIDAY_3PM.astimezone(UTC)
    assert working_seconds(start, start + timedelta(days=14)) == 10 * 8 * HOUR
    assert working_seconds(MONDAY_9AM, FRIDAY_3PM) == 0  # the end before the start


def test_reminder_points_at_three_quarters_of_the_working_time() -> None:
    monday_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
    # 1 working day: to Tuesday 16.00, 15 working hours; 75% = 11.25 h = Monday 7 h + Tuesday 4.25 h.
    assert reminder_points(monday_9, 1, 0.75) == (datetime(2026, 11, 24, 12, 15, tzinfo=WIB),
                                                  datetime(2026, 11, 24, 16, 0, tzinfo=WIB))
    # Submitted on Friday afternoon with 1 working day: the end is Monday 16.00, past the weekend.
    near, end = reminder_points(FRIDAY_3PM, 1, 0.75)
    assert end == deadline(FRIDAY_3PM, 1) == datetime(2026, 11, 30, 16, 0, tzinfo=WIB)
    assert near == datetime(2026, 11, 30, 13, 45, tzinfo=WIB)  # 9 h, 6.75 of them: Friday 1 h + Monday 5.75 h
