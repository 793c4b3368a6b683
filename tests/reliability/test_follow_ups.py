"""Durable follow-ups of a state change, on SQLite and PostgreSQL: an approval writes its
`issue_letter` follow-up in its own transaction; the runner issues the letter exactly once,
also after a crash; a claim of a dead process is taken over after its lease, a live one's never;
and a kill between writing the PDF and committing its row leaves no letter file without a row."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import Services, build_services
from config.settings import Settings, StorageSettings
from db.claims import Claims, renew
from db.follow_ups import FollowUpStatus, Job, claim, finish, schedule
from db.models import FollowUp, Letter, LetterRequest
from lifecycle.actors import Actor
from lifecycle.follow_up_runner import FollowUpRunner
from lifecycle.follow_ups import ISSUE_LETTER, key_of
from lifecycle.transitions import Event
from tests.support.flows import ANSWERS
from tests.support.lifecycle import FixedClock, make_resident, make_staff

FIELDS = {**ANSWERS, "tanggal_lahir": "1990-07-05", "jenis_kelamin": "P", "rt_rw": "003/005", "tanggungan": []}
LEASE = timedelta(seconds=10)


class Killed(BaseException):
    """The process died here (nothing after this point runs, no `except Exception` sees it)."""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def services(tmp_path: Path, db_url: str, clock: FixedClock) -> Any:
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    services = build_services(settings, clock=clock)
    yield services
    await services.aclose()


async def approved(services: Services) -> tuple[int, Actor]:
    resident = await make_resident(services.sessions)
    staff = await make_staff(services.sessions)
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=FIELDS)
    await services.lifecycle.approve(req.id, staff)
    return req.id, staff


def runner(services: Services, owner: str) -> FollowUpRunner:
    """Another process's runner (its own instance id), with the service's handlers."""
    return FollowUpRunner(services.sessions, services.follow_ups.handlers, clock=services.clock,
                          claims=Claims(owner, LEASE))


async def follow_up(sessions: async_sessionmaker[AsyncSession], request_id: int) -> FollowUp:
    async with sessions() as s:
        row = await s.scalar(select(FollowUp).where(FollowUp.key == key_of(ISSUE_LETTER, request_id)))
    assert row is not None
    return row


def files_of(services: Services, request_id: int) -> list[Path]:
    return sorted(services.settings.storage.letters_dir.glob(f"*/{request_id}-*"))


async def letters_of(services: Services, request_id: int) -> list[Letter]:
    async with services.sessions() as s:
        return list(await s.scalars(select(Letter).where(Letter.request_id == request_id)))


async def assert_one_letter_and_its_file(services: Services, request_id: int) -> None:
    [letter] = await letters_of(services, request_id)
    [path] = files_of(services, request_id)
    assert path == services.settings.storage.letters_dir / letter.pdf_path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == letter.pdf_sha256
    async with services.sessions() as s:
        req = await s.get(LetterRequest, request_id)
    assert req is not None and req.status == "issued"
    assert (await follow_up(services.sessions, request_id)).status == FollowUpStatus.DONE


async def test_the_approval_writes_its_follow_up_in_its_own_transaction(services: Services) -> None:
    resident = await make_resident(services.sessions)
    staff = await make_staff(services.sessions)
    req = await services.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                              fields=FIELDS)
    with pytest.raises(RuntimeError):
        async with services.sessions.begin() as s:
            await services.lifecycle.approve(req.id, staff, session=s)
            raise RuntimeError("the approval's transaction fails")
    async with services.sessions() as s:
        assert list(await s.scalars(select(FollowUp))) == []
    services.follow_ups.wakeup.clear()
    await services.lifecycle.approve(req.id, staff)
    assert services.follow_ups.wakeup.is_set()  # the runner of this process is woken by the commit
    row = await follow_up(services.sessions, req.id)
    assert (row.kind, row.request_id, row.status, row.attempts) == (ISSUE_LETTER, req.id, "pending", 0)


async def test_the_runner_issues_once_and_a_repeated_follow_up_issues_nothing(services: Services) -> None:
    request_id, _ = await approved(services)
    assert await services.follow_ups.run_once() == 1
    await assert_one_letter_and_its_file(services, request_id)
    # Crash after issuing, before the follow-up was marked done: it runs again and completes.
    async with services.sessions.begin() as s:
        row = await s.scalar(select(FollowUp))
        assert row is not None
        row.status, row.done_at = FollowUpStatus.PENDING, None
    assert await services.follow_ups.run_once() == 1
    await assert_one_letter_and_its_file(services, request_id)
    assert (await follow_up(services.sessions, request_id)).attempts == 2


async def test_expedite_runs_the_follow_up_now(services: Services) -> None:
    request_id, _ = await approved(services)
    assert await services.follow_ups.expedite(key_of(ISSUE_LETTER, request_id)) == FollowUpStatus.DONE
    await assert_one_letter_and_its_file(services, request_id)
    assert await services.follow_ups.expedite(key_of(ISSUE_LETTER, request_id)) == FollowUpStatus.DONE


async def test_a_dead_processs_claim_is_taken_over_after_the_lease_a_live_ones_never(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock()
    t0 = clock()
    async with sessions.begin() as s:
        await schedule(s, "test", "test:1", t0)
        await schedule(s, "test", "test:1", t0)  # one per key
    a, b = Claims("A", LEASE), Claims("B", LEASE)
    [job] = await claim(sessions, t0, a)
    assert await claim(sessions, t0 + timedelta(seconds=5), b) == []
    for beat in (3, 6, 9, 12, 15):  # A's heartbeat renews its claim: B never gets it
        async with sessions.begin() as s:
            assert await renew(s, FollowUp, [job.id], "A", t0 + timedelta(seconds=beat) + LEASE) == 1
        assert await claim(sessions, t0 + timedelta(seconds=beat + 2), b) == []
    # A dies after its last beat (t0 + 15 s): its claim ends at t0 + 25 s.
    assert await claim(sessions, t0 + timedelta(seconds=24), b) == []
    [taken] = await claim(sessions, t0 + timedelta(seconds=25), b)
    assert taken.id == job.id and taken.attempts == 2
    async with sessions.begin() as s:  # A (a zombie) can no longer renew, nor end, what B holds
        assert await renew(s, FollowUp, [job.id], "A", t0 + timedelta(seconds=40)) == 0
    assert not await finish(sessions, job.id, "A", t0 + timedelta(seconds=26))
    assert await finish(sessions, job.id, "B", t0 + timedelta(seconds=26))


async def test_an_issue_killed_before_its_commit_leaves_no_letter_file(services: Services, clock: FixedClock,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    request_id, _ = await approved(services)
    original = services.lifecycle.apply_in

    async def killed_at_commit(session: AsyncSession, req: LetterRequest, event: Event, actor: Actor,
                               **kw: Any) -> LetterRequest:
        if event is Event.ISSUE:
            monkeypatch.setattr(services.lifecycle, "apply_in", original)  # only once
            raise Killed
        return await original(session, req, event, actor, **kw)

    monkeypatch.setattr(services.lifecycle, "apply_in", killed_at_commit)
    with pytest.raises(Killed):
        await runner(services, "A").run_once()
    [orphan] = files_of(services, request_id)  # the killed process wrote the PDF but not its row
    assert await letters_of(services, request_id) == []
    # The restarted process (another instance id) takes the dead one's claim after its lease.
    restarted = runner(services, "B")
    assert await restarted.run_once() == 0
    clock.now += LEASE
    assert await restarted.run_once() == 1
    assert not orphan.exists()
    await assert_one_letter_and_its_file(services, request_id)


async def test_a_failed_commit_deletes_its_file_and_is_retried(services: Services, clock: FixedClock,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    request_id, _ = await approved(services)
    original = services.lifecycle.apply_in
    seen: list[Path] = []

    async def failing_commit(session: AsyncSession, req: LetterRequest, event: Event, actor: Actor,
                             **kw: Any) -> LetterRequest:
        if event is Event.ISSUE:
            seen.extend(files_of(services, request_id))  # the file is written before the commit
            monkeypatch.setattr(services.lifecycle, "apply_in", original)
            raise OSError("database went away")
        return await original(session, req, event, actor, **kw)

    monkeypatch.setattr(services.lifecycle, "apply_in", failing_commit)
    assert await services.follow_ups.run_once() == 1
    assert len(seen) == 1 and files_of(services, request_id) == []
    row = await follow_up(services.sessions, request_id)
    assert row.status == "pending" and "database went away" in (row.last_error or "")
    assert row.next_attempt_at > clock() and row.locked_by is None
    assert await services.follow_ups.run_once() == 0  # not before its backoff
    clock.now = row.next_attempt_at
    assert await services.follow_ups.run_once() == 1
    await assert_one_letter_and_its_file(services, request_id)


async def test_two_runners_racing_issue_one_letter(services: Services) -> None:
    request_id, _ = await approved(services)
    await asyncio.gather(runner(services, "A").run_once(), runner(services, "B").run_once(),
                         services.follow_ups.expedite(key_of(ISSUE_LETTER, request_id)))
    await assert_one_letter_and_its_file(services, request_id)


async def test_a_clean_stop_releases_the_follow_ups_it_was_running(sessions: async_sessionmaker[AsyncSession],
                                                                    ) -> None:
    clock = FixedClock()
    async with sessions.begin() as s:
        await schedule(s, "slow", "slow:1", clock())
    started, never = asyncio.Event(), asyncio.Event()

    async def slow(job: Job) -> None:
        started.set()
        await never.wait()

    runner_ = FollowUpRunner(sessions, {"slow": slow}, clock=clock, claims=Claims("A", LEASE))
    running = asyncio.create_task(runner_.run_forever())
    await asyncio.wait_for(started.wait(), 10)
    async with sessions() as s:
        row = await s.scalar(select(FollowUp))
    assert row is not None and row.locked_by == "A"
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    async with sessions() as s:
        row = await s.scalar(select(FollowUp))
    assert row is not None and (row.status, row.locked_by, row.locked_until) == ("pending", None, None)
    [again] = await claim(sessions, clock(), Claims("B", LEASE))  # the next process takes it at once
    assert again.id == row.id
