"""Never acknowledge an update that was not handled: every Telegram update is stored in the inbox
before Telegram is told it arrived, then handled from there with retries. Here on both databases:
the inbox's claims (per-chat order, leases owned by a process, retries), the outage log, and the
whole service on the fake Bot API: a handler that fails is retried and its update handled once, a
button press is handled before it is answered (a "too old" answer is harmless), an update that
cannot be parsed stalls nothing, and a webhook body that is not an update never gets a 500."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import inbox
from db.health import Backoff, OutageLog, keep_running
from db.inbox import Received
from db.models import Attachment, OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.support.inbox import PUBLIC_URL, WEBHOOK, Webhook, handled, rows
from tests.support.telegram import (
    GROUP,
    RESIDENT_ID,
    World,
    jpeg,
    running_world,
    settled,
    submitted_request,
    telegram_service,
)

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def item(update_id: int, chat: int | None) -> Received:
    return Received(str(update_id), None if chat is None else str(chat), {"update_id": update_id})


async def store(sessions: async_sessionmaker[AsyncSession], *items: Received) -> int:
    async with sessions.begin() as s:
        return await inbox.store(s, "telegram", list(items), T0)


# -- the inbox table ---------------------------------------------------------------------------------------------


async def test_an_update_is_stored_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await store(sessions, item(1, 10)) == 1
    assert await store(sessions, item(1, 10), item(2, 10)) == 1  # a redelivery is ignored
    assert sorted(await rows(sessions, [1, 2])) == [1, 2]


async def test_one_chat_in_order_other_chats_alongside(sessions: async_sessionmaker[AsyncSession]) -> None:
    await store(sessions, item(1, 10), item(2, 10), item(3, 20), item(4, None), item(5, None))
    first = await inbox.claim(sessions, "telegram", "a", T0)
    assert [r.update_id for r in first] == ["1", "3", "4", "5"]  # one per chat; no chat, no order
    assert await inbox.claim(sessions, "telegram", "a", T0) == []  # 2 waits for 1, the rest are leased
    await inbox.mark_retry(sessions, first[0].id, T0, 5.0, "RuntimeError")
    assert await inbox.claim(sessions, "telegram", "b", T0 + timedelta(seconds=1)) == []  # 1 waits its backoff; 2 for 1
    again = await inbox.claim(sessions, "telegram", "b", T0 + timedelta(seconds=6))
    assert [r.update_id for r in again] == ["1"] and again[0].attempts == 1 and again[0].last_error == "RuntimeError"
    await inbox.mark_done(sessions, [again[0].id], T0 + timedelta(seconds=6))
    assert [r.update_id for r in await inbox.claim(sessions, "telegram", "b", T0 + timedelta(seconds=6))] == ["2"]


async def test_a_dead_owners_claims_are_taken_over_after_a_short_lease(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await store(sessions, item(1, 10))
    assert await inbox.claim(sessions, "telegram", "dead", T0)
    assert await inbox.claim(sessions, "telegram", "alive", T0 + timedelta(seconds=9)) == []
    taken = await inbox.claim(sessions, "telegram", "alive", T0 + inbox.LEASE)
    assert [r.locked_by for r in taken] == ["alive"]
    await inbox.renew(sessions, "alive", [taken[0].id], T0 + timedelta(seconds=15))  # heartbeat while working
    assert await inbox.claim(sessions, "telegram", "other", T0 + timedelta(seconds=24)) == []
    await inbox.release(sessions, "alive")  # a clean stop hands its rows back at once
    assert await inbox.claim(sessions, "telegram", "other", T0 + timedelta(seconds=16))


async def test_an_update_failing_every_time_is_given_up_and_stops_blocking_its_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await store(sessions, item(1, 10), item(2, 10))
    now = T0
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        [row] = await inbox.claim(sessions, "telegram", "a", now)
        assert row.update_id == "1"
        status = await inbox.mark_retry(sessions, row.id, now, inbox.backoff(attempt), "TelegramServerError")
        now += timedelta(seconds=inbox.backoff(attempt))
    assert status == "failed"
    assert [r.update_id for r in await inbox.claim(sessions, "telegram", "a", now)] == ["2"]
    assert inbox.backoff(1) == 0.5 and inbox.backoff(30) == 60.0


async def test_a_handled_update_keeps_no_payload_and_old_rows_are_pruned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await store(sessions, Received("1", "10", {"update_id": 1, "message": {"text": "6271034507900001"}}),
                item(2, 10), item(3, 20))
    [first, third] = await inbox.claim(sessions, "telegram", "a", T0)
    await inbox.mark_done(sessions, [first.id], T0)
    await inbox.mark_failed(sessions, third.id, "unparseable")
    stored = await rows(sessions, [1, 2, 3])
    assert stored[1].payload == {} and stored[1].status == "done"  # the personal data went with handling
    assert await inbox.prune(sessions, T0) == 0
    assert await inbox.prune(sessions, T0 + inbox.KEEP) == 2  # handled and given up; the pending one stays
    assert sorted(await rows(sessions, [1, 2, 3])) == [2]


# -- the outage log and the worker loop ---------------------------------------------------------------------------


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    outage = OutageLog("telegram inbox", clock=lambda: now[0], remind_every=300)
    with caplog.at_level(logging.INFO, logger="esurat.outage"):
        for _ in range(1000):
            outage.failed(ConnectionRefusedError(111, "Connect call failed"), 30.0)
            now[0] += 0.25
        outage.succeeded()
        outage.succeeded()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "database unreachable (ConnectionRefusedError); retrying" in lines[0]
    assert "database back after 250.0 s (1000 failed attempts)" in lines[1]
    assert not any(r.exc_info for r in caplog.records)


async def test_the_worker_loop_backs_off_through_an_outage_quietly(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def step() -> bool:
        calls.append(1)
        if len(calls) <= 30:
            raise ConnectionResetError("connection was closed in the middle of operation")
        if len(calls) in (32, 33):
            raise ValueError("a bug")
        if len(calls) == 35:
            raise asyncio.CancelledError  # stop the loop
        return True

    with caplog.at_level(logging.INFO, logger="esurat.outage"), pytest.raises(asyncio.CancelledError):
        await keep_running(step, worker="w", backoff=Backoff(first=0.0001, cap=0.001))
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("w: database unreachable (ConnectionResetError)")
    assert lines[1].startswith("w: database back after") and "(30 failed attempts)" in lines[1]
    assert lines[2].startswith("w: a round failed") and caplog.records[2].exc_info  # a bug: its traceback, once
    assert lines[3] == "w: working again after 2 failed rounds" and len(lines) == 4


# -- the whole service on the fake Bot API ------------------------------------------------------------------------


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    async with FakeTelegram(token="123456:TEST") as tg:
        async with running_world(tg, tmp_path / "data", db_url) as world:
            yield world


class FailFirst:
    """An outer middleware of the dispatcher that fails the first handling of the chosen updates, before
    or after the handler ran (as a crash between the handler's commit and marking the update done)."""

    def __init__(self, *, after_handler: bool) -> None:
        self.after_handler = after_handler
        self.armed: set[int] = set()
        self.seen: list[int] = []

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        self.seen.append(event.update_id)
        if event.update_id not in self.armed:
            return await handler(event, data)
        self.armed.discard(event.update_id)
        if self.after_handler:
            await handler(event, data)
        raise RuntimeError("injected failure")


def inject(world: World, *, after_handler: bool) -> FailFirst:
    telegram = world.services.telegram
    assert telegram is not None
    fail = FailFirst(after_handler=after_handler)
    telegram.dispatcher.update.outer_middleware(fail)
    return fail


async def outbox_rows(world: World, chat_id: int) -> int:
    async with world.services.sessions() as s:
        count = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id)))
    return count or 0


async def test_a_failed_photo_download_is_retried_and_the_photo_received_once(world: World) -> None:
    resident = world.resident()
    await resident.start_sktm()
    await resident.fill(dependants=0, stop_at_attachment=True)
    before = len(world.tg.messages_to(RESIDENT_ID))
    world.tg.fail_next("getFile", status=500)
    update = world.tg.user_sends_photo(RESIDENT_ID, jpeg())
    await settled(world.tg, world.services, update, RESIDENT_ID)
    [row] = (await rows(world.services.sessions, [update["update_id"]])).values()
    assert row.status == "done" and row.attempts == 2
    assert row.last_error == "TelegramServerError: Internal Server Error"  # no payload, no personal data
    assert [c.status for c in world.tg.calls_of("getFile")][0] == 500
    async with world.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Attachment)) == 1
    assert len(world.tg.messages_to(RESIDENT_ID)) == before + 1 == await outbox_rows(world, RESIDENT_ID)


@pytest.mark.parametrize("after_handler", [False, True], ids=["before-handling", "after-commit"])
async def test_a_failed_handling_leaves_the_update_pending_and_it_is_handled_once(
    world: World, after_handler: bool,
) -> None:
    resident = world.resident()
    await resident.text("/start")
    await resident.press("ya")
    fail = inject(world, after_handler=after_handler)
    update = world.tg.queue_update({"message": {
        "message_id": 99, "date": 1795385000, "chat": {"id": RESIDENT_ID, "type": "private"},
        "from": {"id": RESIDENT_ID, "is_bot": False, "first_name": "Warga"}, "text": "bukit tunggal"}})
    fail.armed.add(update["update_id"])
    sent = len(world.tg.messages_to(RESIDENT_ID))
    await settled(world.tg, world.services, update, RESIDENT_ID)
    assert fail.seen.count(update["update_id"]) == 2  # handled, failed, handled again
    [row] = (await rows(world.services.sessions, [update["update_id"]])).values()
    assert row.status == "done" and row.attempts == 2 and row.last_error == "RuntimeError"
    assert (await resident.state()).draft.kelurahan_slug == "bukit-tunggal"
    assert len(world.tg.messages_to(RESIDENT_ID)) == sent + 1  # one reply, though handled twice


async def test_a_press_whose_first_handling_failed_is_handled_and_a_too_old_answer_is_harmless(world: World) -> None:
    resident = world.resident()
    await resident.text("/start")
    fail = inject(world, after_handler=False)
    consent = next(m for m in reversed(world.tg.bot_messages(RESIDENT_ID)) if m.get("reply_markup"))
    world.tg.fail_next("answerCallbackQuery", status=400, retry_after=None, description=TOO_OLD)
    update = world.tg.user_presses(RESIDENT_ID, RESIDENT_ID, consent["message_id"], "c:ya")
    fail.armed.add(update["update_id"])
    await settled(world.tg, world.services, update, RESIDENT_ID)
    [row] = (await rows(world.services.sessions, [update["update_id"]])).values()
    assert row.status == "done" and row.attempts == 2
    assert (await resident.state()).consent
    assert "kecamatan" in world.tg.messages_to(RESIDENT_ID)[-1]
    assert [c.status for c in world.tg.calls_of("answerCallbackQuery")] == [400]  # answered after handling only


async def test_an_approval_whose_answer_is_refused_is_still_made(world: World) -> None:
    req = await submitted_request(world)
    world.tg.fail_next("answerCallbackQuery", status=400, retry_after=None, description=TOO_OLD)
    update = await world.staff().press(req.code, "approve")
    [row] = (await rows(world.services.sessions, [update["update_id"]])).values()
    assert row.status == "done" and row.attempts == 1
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1
    assert "DISETUJUI" in world.staff().card(req.code)["text"]
    assert world.tg.messages_to(GROUP)


async def test_an_update_that_cannot_be_parsed_does_not_stall_polling(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    resident = world.resident()
    bad = world.tg.queue_update({"message": {"chat": {"id": RESIDENT_ID, "type": "private"}, "text": 12}})
    caplog.set_level(logging.INFO)
    update = world.tg.user_sends_text(RESIDENT_ID, "/start")
    await settled(world.tg, world.services, update, RESIDENT_ID)
    found = await handled(world.services.sessions, [bad, update])
    assert found[bad["update_id"]].status == "failed" and found[bad["update_id"]].attempts == 1
    assert found[update["update_id"]].status == "done"
    assert not (await resident.state()).consent and world.tg.messages_to(RESIDENT_ID)
    lines = [r.getMessage() for r in caplog.records if str(bad["update_id"]) in r.getMessage()]
    assert len(lines) == 1 and "given up" in lines[0] and "12" not in lines[0].replace(str(bad["update_id"]), "")


async def test_a_webhook_body_that_is_not_an_update_never_gets_a_500(tmp_path: Path, db_url: str) -> None:
    async with FakeTelegram(token="123456:TEST") as tg:
        service = telegram_service(tg, tmp_path / "data", db_url, public_url=PUBLIC_URL, **WEBHOOK)
        services = await service.start()
        try:
            hook = Webhook(service.base_url)
            for body in (b"", b"not json", b"[]", b"null", b'{"message": {}}', b'{"update_id": "7"}',
                         b'{"update_id": true}', b'{"update_id": -1}', b'{"update_id": 1e3}',
                         b'{"update_id": 100000000000000000000000000000}', b"[" * 100_000 + b"]" * 100_000,
                         b'{"update_id": 8, "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"):
                assert await hook.post(content=body) == 400, body[:40]
            assert await hook.post(content=b"x" * (2 * 1024 * 1024)) == 413
            odd = {"update_id": 9, "message": {"chat": "rubbish", "text": ["NIK", 6271034507900001]}}
            assert await hook.post(odd) == 200  # it is an update: stored, then given up as unparseable
            good = {"update_id": 10, "message": {
                "message_id": 1, "date": 1795385000, "chat": {"id": RESIDENT_ID, "type": "private"},
                "from": {"id": RESIDENT_ID, "is_bot": False, "first_name": "Warga"}, "text": "/start"}}
            assert await hook.post(good) == 200
            assert await hook.post(good) == 200  # Telegram's retry of an update it thinks was lost
            found = await handled(services.sessions, [9, 10])
            assert (found[9].status, found[9].attempts) == ("failed", 1) and "6271034507900001" not in str(
                found[9].last_error)
            assert found[10].status == "done" and found[10].attempts == 1
            await tg.wait_message(RESIDENT_ID)
            assert 500 not in hook.statuses
        finally:
            await service.stop()
