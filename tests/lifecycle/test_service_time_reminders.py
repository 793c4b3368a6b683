"""Service-time reminders over simulated days (injected clock, both databases): each open request is
reminded to its kelurahan's moderation chats when it nears its service time (75% of its working time)
and when it passes it, once each, in one message per kelurahan and sweep; a decided request is not; a
corrected request starts again; the daily summary comes once a day at the configured hour WIB; and two
runners of two replicas racing on one database do each of it exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import build_services
from config.settings import Settings, StorageSettings
from db.claims import Claims
from db.follow_ups import Job
from db.models import FollowUp, Kelurahan, Letter, LetterRequest, OutboxMessage
from flows.dates import WIB
from lifecycle.actors import Actor
from lifecycle.follow_up_runner import FollowUpRunner
from lifecycle.reminder_plan import DAILY_SUMMARY, SWEEP, ReminderPlan
from lifecycle.reminders import ServiceTimeReminders
from lifecycle.service import RequestLifecycle
from tests.support.lifecycle import CLASSIFICATION, FixedClock, kelurahan, make_resident, make_staff

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
SERVICE_DAYS = {"sktm": 1, "sku": 2}
TITLES = {"sktm": "Surat Keterangan Tidak Mampu", "sku": "Surat Keterangan Usaha"}
FIELDS = {"nama": "Siti Aminah", "nik": "6271014107900001"}
STEP = timedelta(minutes=15)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the simulated week: `day` 0 is Monday 23 November 2026."""
    return MONDAY.replace(hour=hour, minute=minute) + timedelta(days=day)


async def targets(session: AsyncSession, kel: Kelurahan) -> list[tuple[str, str]]:
    return [("telegram", f"mod-{kel.slug}"), ("web", f"staff-{kel.slug}")]


@dataclass
class Sent:
    at: datetime
    channel: str
    chat: str
    text: str


@dataclass
class Week:
    sessions: async_sessionmaker[AsyncSession]
    clock: FixedClock = field(default_factory=lambda: FixedClock(MONDAY))
    sent: list[Sent] = field(default_factory=list)
    seen: int = 0
    residents: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lifecycle = RequestLifecycle(self.sessions, classification=CLASSIFICATION, clock=self.clock,
                                          service_days=SERVICE_DAYS)

    def replica(self) -> tuple[ServiceTimeReminders, FollowUpRunner]:
        """One process: its reminders and its follow-up runner, with claims of its own."""
        reminders = ServiceTimeReminders(self.sessions, TITLES, SERVICE_DAYS, self.clock,
                                         ReminderPlan(0.75, 15, 7), moderation_targets=targets)
        runner = FollowUpRunner(self.sessions, {SWEEP: reminders.sweep, DAILY_SUMMARY: reminders.daily_summary},
                                clock=self.clock, claims=Claims())
        return reminders, runner

    async def submit(self, at: datetime, letter_type: str, slug: str = "bukit-tunggal") -> str:
        self.clock.now = at
        resident = await make_resident(self.sessions, external_id=f"r{len(self.residents)}")
        req = await self.lifecycle.submit_new(resident, kelurahan_slug=slug, letter_type=letter_type,
                                              fields=dict(FIELDS))
        self.residents[req.code] = resident
        return req.code

    async def run_until(self, until: datetime, *runners: FollowUpRunner) -> None:
        """Move the clock `STEP` by `STEP` up to `until`, every runner running what is due at each step."""
        while self.clock.now < until:
            self.clock.now = min(self.clock.now + STEP, until)
            await asyncio.gather(*(r.run_once() for r in runners))
            async with self.sessions() as s:
                rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.id > self.seen)
                                            .order_by(OutboxMessage.id)))
            for row in rows:
                self.sent.append(Sent(self.clock.now.astimezone(WIB), row.channel, row.chat_id, row.payload["text"]))
                self.seen = row.id

    def reminders(self, chat_prefix: str = "mod-") -> Counter[tuple[str, str, datetime]]:
        """(kind, request code, when) of every request named in a reminder to the chats `chat_prefix`..."""
        found: Counter[tuple[str, str, datetime]] = Counter()
        for sent in self.sent:
            if not sent.chat.startswith(chat_prefix) or not sent.text.startswith("⏰"):
                continue
            kind = ""
            for line in sent.text.splitlines():
                if line.startswith("Mendekati"):
                    kind = "near"
                elif line.startswith("Melewati"):
                    kind = "late"
                elif line.startswith("• "):
                    found[(kind, line[2:].split(" ")[0], sent.at)] += 1
        return found

    def summaries(self, chat: str) -> list[Sent]:
        return [s for s in self.sent if s.chat == chat and s.text.startswith("📋")]


async def issued_on_monday(week: Week) -> None:
    """A letter of Bukit Tunggal issued on Monday (for the summary's "issued yesterday")."""
    kel = await kelurahan(week.sessions)
    resident = await make_resident(week.sessions, external_id="issued")
    async with week.sessions.begin() as s:
        req = LetterRequest(code="BT-2026-09999", kelurahan_id=kel.id, resident_id=resident.id, letter_type="sktm",
                            fields={}, status="issued", created_at=MONDAY, updated_at=MONDAY, submitted_at=MONDAY)
        s.add(req)
        await s.flush()
        s.add(Letter(request_id=req.id, number="X/1", public_id="p1", letter_type="sktm", kelurahan_id=kel.id,
                     issued_at=wib(0, 14), pdf_path="x.pdf", pdf_sha256="0" * 64, seal="s", key_id="k",
                     holder_name_masked="S***", nik_masked="6271****", signatory_name="L", signatory_title="Lurah"))


async def simulate(week: Week, *replicas: tuple[ServiceTimeReminders, FollowUpRunner]) -> dict[str, str]:
    """Monday 08.00 to Thursday 09.00 WIB: four requests (one rejected on Tuesday 10.00), every replica
    starting at once on Monday 08.00."""
    codes = {
        "a": await week.submit(wib(0, 9), "sktm"),  # near Tuesday 12.15 (11.25 of 15 working hours), end 16.00
        "b": await week.submit(wib(0, 9), "sku"),  # near Wednesday 10.15, end Wednesday 16.00
        "c": await week.submit(wib(0, 9), "sktm"),  # rejected before it nears its service time
        "d": await week.submit(wib(0, 10), "sktm", "menteng"),  # near Tuesday 12.30, end 16.00
    }
    await issued_on_monday(week)
    week.clock.now = MONDAY
    await asyncio.gather(*(reminders.start() for reminders, _ in replicas))
    runners = [runner for _, runner in replicas]
    await week.run_until(wib(1, 10), *runners)
    staff = await make_staff(week.sessions)
    async with week.sessions() as s:
        c_id = await s.scalar(select(LetterRequest.id).where(LetterRequest.code == codes["c"]))
    assert c_id is not None
    await week.lifecycle.reject(c_id, staff, "Berkas tidak lengkap")
    await week.run_until(wib(3, 9), *runners)
    return codes


def check_week(week: Week, codes: dict[str, str]) -> None:
    a, b, c, d = codes["a"], codes["b"], codes["c"], codes["d"]
    assert week.reminders() == Counter({
        ("near", a, wib(1, 12, 15)): 1, ("late", a, wib(1, 16)): 1,
        ("near", d, wib(1, 12, 30)): 1, ("late", d, wib(1, 16)): 1,
        ("near", b, wib(2, 10, 15)): 1, ("late", b, wib(2, 16)): 1,
    })
    assert week.reminders("staff-") == week.reminders()  # every moderation chat of the kelurahan
    assert c not in "".join(s.text for s in week.sent if s.text.startswith("⏰"))
    # One message per chat and sweep; the request's kelurahan's chats only.
    per_sweep = Counter((s.at, s.chat) for s in week.sent if s.text.startswith("⏰"))
    assert set(per_sweep.values()) == {1}
    assert all(d in s.text for s in week.sent if s.chat.endswith("menteng") and s.text.startswith("⏰"))
    for s in week.sent:
        assert "6271014107900001" not in s.text and "Siti" not in s.text
    late_a = next(s.text for s in week.sent if s.at == wib(1, 16) and s.chat == "mod-bukit-tunggal")
    assert f"• {a} — Surat Keterangan Tidak Mampu, batas 24 November 2026 pukul 16.00 WIB (lewat batas hari ini)" \
        in late_a

    bt = week.summaries("mod-bukit-tunggal")
    assert [s.at for s in bt] == [wib(1, 7), wib(2, 7), wib(3, 7)]
    assert "Menunggu keputusan petugas: 3" in bt[0].text and "Surat terbit kemarin: 1" in bt[0].text
    assert "Menunggu keputusan petugas: 2" in bt[1].text and f"Terlambat: {a}" in bt[1].text
    assert "Surat terbit kemarin: 0" in bt[1].text and f"Terlambat: {a}, {b}" in bt[2].text
    assert [s.at for s in week.summaries("staff-menteng")] == [wib(1, 7), wib(2, 7), wib(3, 7)]
    assert week.summaries("mod-kameloh-baru") == []  # nothing to say: no summary
    near_b = next(s.text for s in week.sent if s.at == wib(2, 10, 15) and s.chat == "mod-bukit-tunggal")
    assert near_b.splitlines()[2:4] == [
        "Mendekati batas waktu layanan:",
        f"• {b} — Surat Keterangan Usaha, batas 25 November 2026 pukul 16.00 WIB (batas hari ini)"]


async def test_a_week_of_reminders_and_summaries(sessions: async_sessionmaker[AsyncSession]) -> None:
    week = Week(sessions)
    codes = await simulate(week, week.replica())
    check_week(week, codes)
    async with sessions() as s:
        pending = list(await s.scalars(select(FollowUp.key).where(FollowUp.status == "pending")
                                       .order_by(FollowUp.key)))
    assert pending == ["daily_summary:2026-11-27", f"{SWEEP}:2026-11-26T02:15:00+00:00"]  # the chains go on


async def test_two_replicas_racing_remind_and_summarise_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    week = Week(sessions)
    codes = await simulate(week, week.replica(), week.replica())
    check_week(week, codes)


async def test_a_corrected_request_is_reminded_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    week = Week(sessions)
    reminders, runner = week.replica()
    code = await week.submit(wib(0, 9), "sktm")
    week.clock.now = MONDAY
    await reminders.start()
    await week.run_until(wib(1, 13), runner)
    async with sessions() as s:
        req = await s.scalar(select(LetterRequest).where(LetterRequest.code == code))
    assert req is not None
    await week.lifecycle.request_revision(req.id, await make_staff(sessions), "Foto KTP buram")
    await week.run_until(wib(1, 14), runner)
    await week.lifecycle.resubmit(req.id, week.residents[code], fields=dict(FIELDS))  # a new service time:
    await week.run_until(wib(3, 9), runner)  # 10 working hours to Wednesday 16.00, 75% on Wednesday 13.30
    assert week.reminders() == Counter({("near", code, wib(1, 12, 15)): 1, ("near", code, wib(2, 13, 30)): 1,
                                        ("late", code, wib(2, 16)): 1})


async def test_two_sweeps_at_once_tell_each_request_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two sweep follow-ups running together (e.g. one late after an outage, and the next) claim each
    request by its conditional UPDATE: one of them tells it."""
    week = Week(sessions)
    codes = [await week.submit(wib(0, 9), "sktm") for _ in range(5)]
    week.clock.now = wib(1, 12, 20)
    (first, _), (second, _) = week.replica(), week.replica()
    jobs = [Job(i, SWEEP, f"{SWEEP}:{i}", None, {}, 1) for i in (1, 2)]
    await asyncio.gather(first.sweep(jobs[0]), second.sweep(jobs[1]))
    async with sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage.payload).where(OutboxMessage.chat_id == "mod-bukit-tunggal")))
    assert sorted(code for row in rows for code in codes if code in row["text"]) == sorted(codes)


async def test_the_service_schedules_and_runs_them_from_the_settings(tmp_path: Path, db_url: str) -> None:
    """The composition root: the settings' plan, the handlers registered, the next sweep and summary
    scheduled at start-up by every replica (two starting together leave one row each)."""
    clock = FixedClock(wib(0, 7, 50))
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url),
                        reminder_sweep_minutes=30, daily_summary_hour=8, reminders=True)
    one, two = build_services(settings, clock=clock), build_services(settings, clock=clock)
    try:
        assert one.reminders is not None and two.reminders is not None
        assert {SWEEP, DAILY_SUMMARY} <= set(one.follow_ups.handlers)
        await asyncio.gather(one.reminders.start(), two.reminders.start())
        async with one.sessions() as s:
            rows = {r.key: r.next_attempt_at for r in await s.scalars(select(FollowUp))}
        assert rows == {f"{SWEEP}:2026-11-23T01:00:00+00:00": wib(0, 8), "daily_summary:2026-11-23": wib(0, 8)}
        clock.now = wib(0, 8)
        assert await one.follow_ups.run_once() == 2
        async with one.sessions() as s:
            pending = set(await s.scalars(select(FollowUp.key).where(FollowUp.status == "pending")))
        assert pending == {f"{SWEEP}:2026-11-23T01:30:00+00:00", "daily_summary:2026-11-24"}
    finally:
        await one.aclose()
        await two.aclose()
