"""The time an open request has left against its letter type's service time (`sla_days`, in working days
as the catalogue tells residents: "N hari kerja"), counted in Palangka Raya's days (WIB), Monday to Friday.
Holidays are not counted out (the visits' closed days are the office's, not the service promise's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flows.dates import local_date


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def due_date(submitted: date, sla_days: int) -> date:
    """The last working day of the service time: `sla_days` working days after the day of submission."""
    day, left = submitted, max(sla_days, 0)
    while left > 0:
        day += timedelta(days=1)
        left -= is_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """The working days in (start, end]; 0 when `end` is not after `start`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def time_left(submitted_at: datetime, sla_days: int, now: datetime) -> str:
    """"sisa 2 hari", "batas hari ini" or "lewat 1 hari" (working days) for a request submitted at
    `submitted_at`, as of `now` (the injected clock)."""
    due, today = due_date(local_date(submitted_at), sla_days), local_date(now)
    if today < due:
        return f"sisa {working_days_between(today, due)} hari"
    late = working_days_between(due, today)
    return f"lewat {late} hari" if late else "batas hari ini"
