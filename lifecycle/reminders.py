"""Service-time reminders: a recurring sweep tells each kelurahan's moderation chats which of its open
requests near their service time (`ReminderPlan.share` of it gone) or passed it, each request at most
once per kind and per submission (`reminded_near_at`, `reminded_late_at`, claimed by a conditional
UPDATE, so two runs never both tell the same one); and a daily summary at `ReminderPlan.summary_hour`
WIB. Both are follow-ups (`lifecycle.reminder_plan`): one process runs each, whatever the replicas.
The moderation chats come from the composition root (`ModerationTargets`): no channel is named here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from db.follow_ups import Job
from db.models import FollowUp, Kelurahan, Letter, LetterRequest
from db.outbound import TextOut
from db.outbox import enqueue
from flows.dates import WIB, local_date
from lifecycle.notifications import ModerationTargets, no_moderation_chats
from lifecycle.reminder_plan import (
    AWAITING_STAFF,
    DAILY_SUMMARY,
    SWEEP,
    ReminderPlan,
    ensure_next,
    ensure_scheduled,
    points,
    summary_key,
    sweep_key,
)
from lifecycle.reminder_texts import Due, Summary, summary_text, sweep_text
from lifecycle.service import Clock
from lifecycle.service_time import time_left


def _not_reminded(column: InstrumentedAttribute[datetime | None]) -> ColumnElement[bool]:
    """Not reminded since the request's last submission (a corrected request starts a new service time)."""
    return or_(column.is_(None), column < LetterRequest.submitted_at)


class ServiceTimeReminders:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], titles: Mapping[str, str],
                 service_days: Mapping[str, int], clock: Clock, plan: ReminderPlan | None = None,
                 moderation_targets: ModerationTargets = no_moderation_chats) -> None:
        self.sessions = sessions
        self.titles = dict(titles)
        self.service_days = dict(service_days)
        self.clock = clock
        self.plan = plan or ReminderPlan()
        self.moderation_targets = moderation_targets

    async def start(self) -> None:
        """At start-up (every replica): the next sweep and the next summary are scheduled."""
        await ensure_next(self.sessions, self.plan, self.clock())

    async def sweep(self, job: Job) -> None:
        """Follow-up handler: schedule the next sweep, then remind what nears or passed its service time."""
        now = self.clock()
        due = self.plan.next_sweep(now)
        await ensure_scheduled(self.sessions, SWEEP, sweep_key(due), now, due)
        async with self.sessions.begin() as session:
            found: dict[int, tuple[list[Due], list[Due]]] = defaultdict(lambda: ([], []))
            for req in await self._open(session):
                near, end = points(req, self.service_days, self.plan.share)
                late = end <= now
                if not late and near > now:
                    continue
                column = LetterRequest.reminded_late_at if late else LetterRequest.reminded_near_at
                if not await self._claim(session, req.id, column, now):
                    continue
                left = time_left(req.submitted_at or now, self.service_days.get(req.letter_type, 1), now)
                if late and not left.startswith("lewat"):
                    left = "lewat batas hari ini"  # past the close of office on its due day
                found[req.kelurahan_id][late].append(Due(req.code, self.titles.get(req.letter_type, req.letter_type),
                                                         end, left))
            for kel_id, (nearing, past) in sorted(found.items()):
                kel = await session.get(Kelurahan, kel_id)
                if kel is not None:
                    await self._post(session, kel, sweep_text(kel.name, nearing, past), now)

    async def daily_summary(self, job: Job) -> None:
        """Follow-up handler: schedule tomorrow's summary, then post today's to every kelurahan with
        something to say, once (the follow-up's `done_at`, set with the messages; a summary whose day has
        passed, the service being down, is skipped)."""
        now = self.clock()
        day = date.fromisoformat(job.key.split(":", 1)[1])
        tomorrow = day + timedelta(days=1)
        await ensure_scheduled(self.sessions, DAILY_SUMMARY, summary_key(tomorrow), now, self.plan.summary_at(tomorrow))
        if local_date(now) != day:
            return
        async with self.sessions.begin() as session:
            first = await session.execute(update(FollowUp).where(FollowUp.id == job.id, FollowUp.done_at.is_(None))
                                          .values(done_at=now).execution_options(synchronize_session=False))
            if not getattr(first, "rowcount", 0):
                return  # posted by an earlier attempt
            summaries = await self._summaries(session, day, now)
            for kel in await session.scalars(select(Kelurahan).order_by(Kelurahan.id)):
                summary = summaries.get(kel.id)
                if summary is not None and not summary.empty():
                    await self._post(session, kel, summary_text(kel.name, day, summary), now)

    async def _open(self, session: AsyncSession) -> list[LetterRequest]:
        return list(await session.scalars(select(LetterRequest).where(
            LetterRequest.status.in_(AWAITING_STAFF), LetterRequest.submitted_at.is_not(None),
        ).order_by(LetterRequest.submitted_at, LetterRequest.id)))

    async def _claim(self, session: AsyncSession, request_id: int, column: InstrumentedAttribute[datetime | None],
                     now: datetime) -> bool:
        result = await session.execute(
            update(LetterRequest).where(LetterRequest.id == request_id, LetterRequest.status.in_(AWAITING_STAFF),
                                        _not_reminded(column))
            .values({column.key: now}).execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))

    async def _summaries(self, session: AsyncSession, day: date, now: datetime) -> dict[int, Summary]:
        summaries: dict[int, Summary] = defaultdict(Summary)
        for req in await self._open(session):
            near, end = points(req, self.service_days, self.plan.share)
            s = summaries[req.kelurahan_id]
            s.awaiting += 1
            if end <= now:
                s.late.append(req.code)
            elif near <= now:
                s.near += 1
        start = datetime.combine(day - timedelta(days=1), datetime.min.time(), WIB)
        issued = await session.execute(
            select(Letter.kelurahan_id, func.count()).where(Letter.issued_at >= start,
                                                            Letter.issued_at < start + timedelta(days=1))
            .group_by(Letter.kelurahan_id))
        for kel_id, count in issued:
            summaries[kel_id].issued_yesterday = count
        return summaries

    async def _post(self, session: AsyncSession, kel: Kelurahan, text: str, now: datetime) -> None:
        for channel, chat in await self.moderation_targets(session, kel):
            await enqueue(session, channel, chat, TextOut(text=text), now)
