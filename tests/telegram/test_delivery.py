"""Crash-safety on Telegram: redelivered updates, 429 retry_after, restarts mid-conversation,
a hung chat that holds up no other, and the webhook's secret token."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from db.models import Conversation, OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_hang import hang
from tests.support.telegram import RESIDENT_ID, Resident, World, register, settled, telegram_service


async def test_the_same_update_delivered_twice_is_handled_once(world: World) -> None:
    resident = world.resident()
    await resident.text("/start")
    await resident.press("ya")
    before = await resident.state()
    update = world.tg.user_sends_text(RESIDENT_ID, "bukit tunggal")
    await settled(world.tg, world.services, update, RESIDENT_ID)
    after_first = await resident.state()
    sent = len(world.tg.messages_to(RESIDENT_ID))
    world.tg.queue_update(update)  # Telegram redelivers the very same update
    await settled(world.tg, world.services, update, RESIDENT_ID)
    assert (await resident.state()) == after_first != before
    assert len(world.tg.messages_to(RESIDENT_ID)) == sent


async def test_429_retry_after_delays_then_delivers(world: World) -> None:
    resident = world.resident()
    await resident.text("/start")
    world.tg.fail_next("sendMessage", status=429, retry_after=1, chat_id=RESIDENT_ID)
    started = time.monotonic()
    update = world.tg.user_sends_text(RESIDENT_ID, "status")
    await settled(world.tg, world.services, update, RESIDENT_ID)
    waited = time.monotonic() - started
    refused = [c for c in world.tg.calls_of("sendMessage") if c.status == 429]
    assert len(refused) == 1
    assert waited >= 1.0, waited
    async with world.services.sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram")
                                    .order_by(OutboxMessage.id)))
    assert rows and {r.status for r in rows} == {"sent"}
    assert world.tg.messages_to(RESIDENT_ID)[-1] == rows[-1].payload["text"].replace("*", "")
    assert len(world.tg.messages_to(RESIDENT_ID)) == len(rows)  # nothing lost, nothing doubled


async def test_a_hung_send_to_one_chat_holds_up_no_other_chat(world: World) -> None:
    slow, others = 5101, [5102, 5103, 5104]
    hung = hang(world.tg, "sendMessage", chat_id=slow)
    try:
        world.tg.user_sends_text(slow, "/start")
        await world.tg.wait_until(lambda: hung.waiting, timeout=10, what="the send to the slow chat")
        started = time.monotonic()
        for user in others:
            world.tg.user_sends_text(user, "/start")
        for user in others:
            await world.tg.wait_message(user, "", timeout=5)
        assert time.monotonic() - started < 3  # not after the hung send (it waits for the client timeout)
        assert world.tg.messages_to(slow) == [] and hung.waiting == 1
        world.tg.user_sends_text(others[0], "status")  # and the next replies keep coming
        await world.tg.wait_until(lambda: len(world.tg.messages_to(others[0])) >= 2, timeout=5,
                                  what="a second reply")
    finally:
        hung.release()
    await world.tg.wait_message(slow, "", timeout=10)
    async with world.services.sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == str(slow))))
    assert len(world.tg.messages_to(slow)) == len(rows) == 1  # the held reply, once


async def test_restart_mid_conversation_and_finish(tmp_path: Path, db_url: str) -> None:
    async with FakeTelegram(token="123456:TEST") as tg:
        service = telegram_service(tg, tmp_path / "data", db_url)
        services = await service.start()
        await register(services)
        resident = Resident(tg, services, RESIDENT_ID)
        await resident.start_sktm()
        await resident.text("Siti Aminah")
        await resident.text("6271034507900001")
        state_before = await resident.state()
        services = await service.restart()  # the process stops and starts again
        resident = Resident(tg, services, RESIDENT_ID)
        assert await resident.state() == state_before
        await resident.fill(dependants=0)
        await resident.press("kirim")
        assert any("diterima" in t for t in tg.messages_to(RESIDENT_ID))
        async with services.sessions() as s:
            conv = await s.get(Conversation, ("telegram", str(RESIDENT_ID)))
            pending = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.status != "sent"))
        assert conv is not None and conv.state["draft"]["fields"].get("nama") in (None, "")
        assert pending == 0
        await service.stop()


async def test_webhook_secret_is_checked(tmp_path: Path, db_url: str) -> None:
    async with FakeTelegram(token="123456:TEST") as tg:
        service = telegram_service(tg, tmp_path / "data", db_url, mode="webhook", webhook_secret="s3cret-token",
                                   public_url="https://esurat.palangkaraya.example")
        await service.start()
        try:
            assert tg.webhook and tg.webhook.get("secret_token") == "s3cret-token"
            assert tg.webhook["url"] == "https://esurat.palangkaraya.example/webhooks/telegram"
            update = {"update_id": 42, "message": {
                "message_id": 1, "date": 1795385000, "chat": {"id": RESIDENT_ID, "type": "private"},
                "from": {"id": RESIDENT_ID, "is_bot": False, "first_name": "Warga"}, "text": "/start"}}
            url = f"{service.base_url}/webhooks/telegram"
            async with httpx.AsyncClient() as client:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    refused = await client.post(url, json=update, headers=headers)
                    assert refused.status_code in (401, 403)
                assert tg.messages_to(RESIDENT_ID) == []
                ok = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
                assert ok.status_code == 200
                again = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
                assert again.status_code == 200
            await tg.wait_message(RESIDENT_ID, "", timeout=10)
            assert service.services is not None
            async with service.services.sessions() as s:
                rows = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.channel == "telegram"))
            assert rows == 1  # the greeting, once, though the update came twice
        finally:
            await service.stop()


async def test_a_question_written_by_an_older_version_is_still_delivered(world: World) -> None:
    """Rows written before the typed vocabulary (db/outbound.py): a file question was a "text" payload with
    the engine's own keys ("kind", "attachment_kind"); it still reaches the resident, with its buttons."""
    old = {"type": "text", "kind": "ask_file", "text": "Kirim foto *KTP* Anda.", "attachment_kind": "ktp",
           "choices": [{"value": "lewati", "title": "Lewati"}], "style": "buttons"}
    now = world.services.clock()
    async with world.services.sessions.begin() as s:
        s.add(OutboxMessage(channel="telegram", chat_id=str(RESIDENT_ID), payload=old, status="pending", attempts=0,
                            next_attempt_at=now, created_at=now))
    message = await world.tg.wait_message(RESIDENT_ID, "Kirim foto KTP Anda.", timeout=10)
    assert message["reply_markup"] == {"inline_keyboard": [[{"text": "Lewati", "callback_data": "c:lewati"}]]}
