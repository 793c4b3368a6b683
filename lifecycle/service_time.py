"""Service time (`sla_days`, in working days as the catalogue tells residents: "N hari kerja"), counted in
Palangka Raya's days (WIB), Monday to Friday, and working hours (`OPEN`-`CLOSE` WIB on those days).
Holidays are not counted out (the visits' closed days are the office's, not the service promise's).

One home for: the time an open request has left (the desk's queue), when a request nears or passes its
service time (the reminders), and the durations the statistics aggregate, stored on the request when it
is decided and issued (`timing_values`), so that SQL sums and sorts plain numbers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flows.dates import WIB, local_date

OPEN, CLOSE = time(8, 0), time(16, 0)  # the working hours counted, WIB
WORKDAY_SECONDS = (CLOSE.hour - OPEN.hour) * 3600


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def due_date(submitted: date, sla_days: int) -> date:
    """The last working day of the service time: `sla_days` working days after the day of submission."""
    day, left = submitted, max(sla_days, 0)
    while left > 0:
        day += timedelta(days=1)
        left -= is_working_day(day)
    return day


def deadline(submitted_at: datetime, sla_days: int) -> datetime:
    """The end of the service time: the close of office (`CLOSE` WIB) on the due date."""
    return datetime.combine(due_date(local_date(submitted_at), sla_days), CLOSE, WIB)


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


def _worked_until(moment: datetime) -> int:
    """Working seconds from the Monday 00:00 WIB of `moment`'s week to `moment`."""
    local = moment.astimezone(WIB)
    full_days = min(local.weekday(), 5)
    seconds = full_days * WORKDAY_SECONDS
    if is_working_day(local.date()):
        opened = datetime.combine(local.date(), OPEN, WIB)
        into = (local - opened).total_seconds()
        seconds += int(min(max(into, 0), WORKDAY_SECONDS))
    return seconds


def working_seconds(start: datetime, end: datetime) -> int:
    """The working seconds between two moments (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    a, b = start.astimezone(WIB), end.astimezone(WIB)
    weeks = ((b.date() - timedelta(days=b.weekday())) - (a.date() - timedelta(days=a.weekday()))).days // 7
    return weeks * 5 * WORKDAY_SECONDS + _worked_until(b) - _worked_until(a)


def after_working_seconds(start: datetime, seconds: float) -> datetime:
    """The moment `seconds` working seconds after `start` (the reminders' 75% point)."""
    local = start.astimezone(WIB)
    left = max(seconds, 0.0)
    day = local.date()
    cursor = local
    while True:
        if is_working_day(day):
            opened, closed = datetime.combine(day, OPEN, WIB), datetime.combine(day, CLOSE, WIB)
            begin = max(cursor, opened)
            if begin < closed:
                room = (closed - begin).total_seconds()
                if left <= room:
                    return begin + timedelta(seconds=left)
                left -= room
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0, 0), WIB)


def reminder_points(submitted_at: datetime, sla_days: int, share: float) -> tuple[datetime, datetime]:
    """(when the request nears its service time: `share` of its working time gone; when it is past it)."""
    end = deadline(submitted_at, sla_days)
    near = after_working_seconds(submitted_at, share * working_seconds(submitted_at, end))
    return near, end


def timing_values(event: str, submitted_at: datetime | None, now: datetime, sla_days: int) -> dict[str, Any]:
    """The durations stored on a request when it is decided ("approve", "reject") or issued ("issue"):
    calendar and working seconds since its (last) submission and, on issue, whether the letter came
    within the service time (issued on or before the due date, WIB)."""
    if submitted_at is None:
        return {}
    calendar, worked = max(0, int((now - submitted_at).total_seconds())), working_seconds(submitted_at, now)
    if event in ("approve", "reject"):
        return {"decision_seconds": calendar, "decision_work_seconds": worked}
    if event == "issue":
        within = local_date(now) <= due_date(local_date(submitted_at), sla_days)
        return {"issue_seconds": calendar, "issue_work_seconds": worked, "within_service_time": within}
    return {}
