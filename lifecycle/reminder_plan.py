"""What the service-time reminders and the daily summary share: when they run (`ReminderPlan`, from the
settings), which requests await staff, and scheduling their recurring follow-ups once across replicas.

Both recur as a chain of follow-up rows (`db.follow_ups`) with keys named by their due moment: each run
schedules the next, and at start-up every replica makes sure the next one exists (`ensure_scheduled`: two
replicas inserting the same key at once leave one row). A follow-up row is claimed by one process, so each
runs once however many replicas there are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.follow_ups import schedule
from db.models import LetterRequest
from flows.dates import WIB
from lifecycle.service_time import reminder_points
from lifecycle.transitions import Status

SWEEP = "service_time_sweep"
DAILY_SUMMARY = "daily_summary"
AWAITING_STAFF = (Status.SUBMITTED.value, Status.CHECKED.value)  # the requests a kelurahan's staff must decide
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReminderPlan:
    share: float = 0.75  # a request nears its service time when this share of its working time is gone
    sweep_minutes: int = 15  # how often open requests are looked at
    summary_hour: int = 7  # the daily summary, at this hour WIB

    def next_sweep(self, now: datetime) -> datetime:
        """The first sweep moment after `now`, on a grid every replica computes alike."""
        step = timedelta(minutes=self.sweep_minutes)
        return EPOCH + step * ((now - EPOCH) // step + 1)

    def summary_at(self, day: date) -> datetime:
        return datetime.combine(day, time(self.summary_hour), WIB)

    def next_summary_day(self, now: datetime) -> date:
        today = now.astimezone(WIB).date()
        return today if now < self.summary_at(today) else today + timedelta(days=1)


def sweep_key(due: datetime) -> str:
    return f"{SWEEP}:{due.astimezone(UTC).isoformat()}"


def summary_key(day: date) -> str:
    return f"{DAILY_SUMMARY}:{day.isoformat()}"


async def ensure_scheduled(sessions: async_sessionmaker[AsyncSession], kind: str, key: str, now: datetime,
                           due: datetime) -> None:
    """Schedule follow-up `key` in a transaction of its own unless it exists (also when another replica
    inserts it at the same moment: the unique key refuses the second row)."""
    try:
        async with sessions.begin() as session:
            await schedule(session, kind, key, now, due=due)
    except IntegrityError:
        pass  # scheduled by another replica meanwhile


async def ensure_next(sessions: async_sessionmaker[AsyncSession], plan: ReminderPlan, now: datetime) -> None:
    """At start-up: the next sweep and the next daily summary exist."""
    due = plan.next_sweep(now)
    await ensure_scheduled(sessions, SWEEP, sweep_key(due), now, due)
    day = plan.next_summary_day(now)
    await ensure_scheduled(sessions, DAILY_SUMMARY, summary_key(day), now, plan.summary_at(day))


def points(req: LetterRequest, service_days: Mapping[str, int], share: float) -> tuple[datetime, datetime]:
    """(near, end) of an open request's service time (its last submission's)."""
    assert req.submitted_at is not None
    return reminder_points(req.submitted_at, service_days.get(req.letter_type, 1), share)
