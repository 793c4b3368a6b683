"""Fast recovery after a crash, on SQLite and PostgreSQL, with injected clocks (no test waits for a
lease to run out): outbox claims belong to a process instance whose heartbeat renews them; a dead
process's claims are taken over after one lease (10 s), a live one's never; a reply in flight when
the process died, and an approval whose letter was being issued, both complete after the restart."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import Services
from db.claims import Claims, keep_alive, renew
from db.models import FollowUp, LetterRequest, OutboxMessage, Staff, StaffIdentity
from db.outbound import TextOut
from db.outbox import OutboxStatus, Outcome, claim, enqueue, settle_and_claim
from lifecycle.actors import Actor
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_hang import hang
from tests.support.lifecycle import FixedClock
from tests.support.service import RunningService
from tests.support.telegram import OUTBOX_POLL, RESIDENT_ID, STAFF_ID, World, fake_bot_api, register, submitted_request

LEASE = timedelta(seconds=10)


class ShiftedClock:
    """Real time, moved forward by `shift` (the test skips a lease instead of waiting for it)."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


async def fill(sessions: async_sessionmaker[AsyncSession], now: datetime, chats: list[str]) -> None:
    async with sessions.begin() as s:
        for chat in chats:
            await enqueue(s, "test", chat, TextOut(text=f"untuk {chat}"), now)


async def test_outbox_claims_of_a_dead_process_are_taken_after_the_lease_of_a_live_one_never(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    t0 = FixedClock()()
    await fill(sessions, t0, ["a", "b"])
    a, b = Claims("A", LEASE), Claims("B", LEASE)
    held = [r.id for r in await claim(sessions, "test", t0, owner=a.owner, lease=a.lease)]
    assert len(held) == 2
    assert await claim(sessions, "test", t0 + timedelta(seconds=9), owner=b.owner) == []
    for beat in (3, 6, 9, 12):  # A is alive: its heartbeat renews the lease, B gets nothing
        async with sessions.begin() as s:
            assert await renew(s, OutboxMessage, held, "A", t0 + timedelta(seconds=beat) + LEASE) == 2
        assert await claim(sessions, "test", t0 + timedelta(seconds=beat + 2), owner=b.owner) == []
    # A was killed after its beat at t0 + 12 s: from t0 + 22 s its rows are B's.
    assert await claim(sessions, "test", t0 + timedelta(seconds=21), owner=b.owner) == []
    taken = await claim(sessions, "test", t0 + timedelta(seconds=22), owner=b.owner)
    assert sorted(r.id for r in taken) == sorted(held) and {r.locked_by for r in taken} == {"B"}
    # A late word from A (a zombie) changes nothing of what B holds, except that a send happened.
    late = t0 + timedelta(seconds=23)
    await settle_and_claim(sessions, "test", [Outcome(held[0], OutboxStatus.PENDING, delay=5, error="x")], late, a,
                           limit=0)
    async with sessions() as s:
        row = await s.get(OutboxMessage, held[0])
    assert row is not None and (row.status, row.locked_by, row.last_error) == ("pending", "B", None)


async def test_the_heartbeat_renews_the_rows_its_worker_holds(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = FixedClock()
    await fill(sessions, clock(), ["a", "b"])
    claims = Claims("A", LEASE, heartbeat=0.01)
    rows = await claim(sessions, "test", clock(), owner="A", lease=LEASE)
    held = {rows[0].id}  # the worker still holds only the first
    beating = asyncio.create_task(keep_alive(sessions, OutboxMessage, lambda: held, claims, clock))
    try:
        clock.now += timedelta(seconds=7)
        for _ in range(500):
            async with sessions() as s:
                leases = {r.id: r.locked_until for r in await s.scalars(select(OutboxMessage))}
            if leases[rows[0].id] == clock() + LEASE:
                break
            await asyncio.sleep(0.01)
        assert leases[rows[0].id] == clock() + LEASE
        assert leases[rows[1].id] == clock() - timedelta(seconds=7) + LEASE  # not held: left to run out
    finally:
        beating.cancel()


async def reply_in_flight_at_stop(tg: FakeTelegram, service: RunningService, *, killed: bool) -> tuple[str, int]:
    """The resident asks; the reply is claimed and in flight (the fake holds it) when the process stops:
    cleanly, or `killed` (no clean-up at all). Returns the stopped process's instance id and the
    number of messages the resident had."""
    services = service.services
    assert services is not None and services.telegram is not None
    await World(tg, service).resident().text("/start")
    hung = hang(tg, "sendMessage", chat_id=RESIDENT_ID)
    tg.user_sends_text(RESIDENT_ID, "status")
    await tg.wait_until(lambda: hung.waiting, what="the reply in flight")
    services.senders["telegram"].hand_back_on_stop = not killed
    await service.stop()
    await tg.wait_until(lambda: not hung.waiting, what="the stopped process's request to end")
    hung.release()
    return services.claims.owner, len(tg.messages_to(RESIDENT_ID))


async def all_sent(services: Services, ids: list[int]) -> None:
    for _ in range(500):
        async with services.sessions() as s:
            statuses = set(await s.scalars(select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))))
        if statuses == {"sent"}:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"outbox rows {ids}: {statuses}")


async def test_a_reply_in_flight_when_the_process_died_comes_after_the_restart(tmp_path: Path, db_url: str) -> None:
    clock = ShiftedClock()
    async with FakeTelegram(token="123456:TEST") as tg:
        service = RunningService(tmp_path / "data", db_url, clock=clock, telegram=fake_bot_api(tg),
                                 outbox_poll_interval=OUTBOX_POLL)
        await register(await service.start())
        try:
            dead, replies = await reply_in_flight_at_stop(tg, service, killed=True)
            services = await service.start()  # the restarted process: another instance
            async with services.sessions() as s:
                pending = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")
                                               .order_by(OutboxMessage.id)))
            row = pending[0]  # the one in flight; the chat's later ones wait behind it
            assert row.locked_by == dead and row.locked_until is not None and row.locked_until > clock()
            clock.shift += LEASE  # the dead process's lease ends
            await tg.wait_until(lambda: len(tg.messages_to(RESIDENT_ID)) >= replies + len(pending), timeout=5,
                                what="the replies")
            await all_sent(services, [r.id for r in pending])
            assert len(tg.messages_to(RESIDENT_ID)) == replies + len(pending)  # each once
        finally:
            await service.stop()


async def test_a_clean_stop_hands_its_claims_back_and_the_restart_resumes_at_once(tmp_path: Path,
                                                                                  db_url: str) -> None:
    async with FakeTelegram(token="123456:TEST") as tg:
        service = RunningService(tmp_path / "data", db_url, telegram=fake_bot_api(tg), outbox_poll_interval=OUTBOX_POLL)
        await register(await service.start())
        try:
            _, replies = await reply_in_flight_at_stop(tg, service, killed=False)
            assert service.services is not None
            async with service.services.sessions() as s:
                pending = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")
                                               .order_by(OutboxMessage.id)))
            assert pending and {(r.locked_by, r.locked_until) for r in pending} == {(None, None)}
            # the send cut short may have reached the chat: it is checked before it is sent again
            assert (pending[0].last_error or "").startswith("uncertain:")
            started = time.monotonic()
            services = await service.start()
            await tg.wait_until(lambda: len(tg.messages_to(RESIDENT_ID)) >= replies + len(pending), timeout=5,
                                what="the replies")
            assert time.monotonic() - started < 3  # not after a lease
            await all_sent(services, [r.id for r in pending])
            assert len(tg.messages_to(RESIDENT_ID)) == replies + len(pending)
        finally:
            await service.stop()


async def test_an_approval_whose_issuing_died_gets_its_letter_after_the_lease(tmp_path: Path, db_url: str) -> None:
    clock = ShiftedClock()
    async with FakeTelegram(token="123456:TEST") as tg:
        service = RunningService(tmp_path / "data", db_url, clock=clock, telegram=fake_bot_api(tg),
                                 outbox_poll_interval=OUTBOX_POLL)
        services = await service.start()
        try:
            await register(services)
            req = await submitted_request(World(tg, service))
            async with services.sessions.begin() as s:  # approved; a process claimed the letter, then died
                staff = await s.scalar(select(Staff).join(StaffIdentity, StaffIdentity.staff_id == Staff.id).where(
                    StaffIdentity.channel == "telegram", StaffIdentity.external_id == str(STAFF_ID)))
                assert staff is not None
                actor = Actor.staff(staff.id, staff.kelurahan_id, staff.name)
                await services.lifecycle.approve(req.id, actor, session=s)
                await s.flush()
                await s.execute(update(FollowUp).where(FollowUp.request_id == req.id).values(
                    locked_by="killed-process", locked_until=clock() + LEASE, attempts=1))
            async with services.sessions() as s:
                status = await s.scalar(select(LetterRequest.status).where(LetterRequest.id == req.id))
            assert status == "approved" and tg.sent_documents(RESIDENT_ID) == []
            clock.shift += LEASE
            await tg.wait_until(lambda: tg.sent_documents(RESIDENT_ID), timeout=10, what="the letter")
            # The runner marks the follow-up done after the issuing's own commit, so the letter may be sent
            # (by the outbox sender) a moment before that mark.
            follow_up = None
            for _ in range(100):
                async with services.sessions() as s:
                    status = await s.scalar(select(LetterRequest.status).where(LetterRequest.id == req.id))
                    follow_up = await s.scalar(select(FollowUp).where(FollowUp.request_id == req.id))
                if follow_up is not None and follow_up.status == "done":
                    break
                await asyncio.sleep(0.05)
            assert status == "issued" and len(tg.sent_documents(RESIDENT_ID)) == 1
            assert follow_up is not None and follow_up.status == "done" and follow_up.attempts == 2
        finally:
            await service.stop()
