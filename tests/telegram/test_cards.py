"""Moderation cards in the Telegram group survive faults: a photo Telegram refuses does not drop the
card, a card delivered again after a crash reuses the posted one, and a press on the card of a
request decided before gets a clear answer."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, update

from db.models import LetterRequest, ModerationPost, OutboxMessage
from tests.support.telegram import GROUP, STAFF_ID, World, settled, submitted_request

REFUSED = "Bad Request: PHOTO_INVALID_DIMENSIONS"


def cards_of(world: World, code: str) -> list[dict[str, Any]]:
    return [m for m in world.tg.bot_messages(GROUP)
            if (m.get("text") or "").startswith(f"Permohonan {code}")]


def buttons(card: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (card.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def card_row(world: World, request_id: int) -> OutboxMessage:
    async with world.services.sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram",
                                                                 OutboxMessage.chat_id == str(GROUP))))
    [row] = [r for r in rows if r.payload.get("type") == "moderation_card" and r.payload["request_id"] == request_id]
    return row


async def test_refused_photos_are_sent_as_documents_and_the_card_arrives(world: World) -> None:
    for method in ("sendMediaGroup", "sendPhoto"):
        world.tg.fail_next(method, status=400, retry_after=None, times=10, description=REFUSED, chat_id=GROUP)
    req = await submitted_request(world)
    [card] = cards_of(world, req.code)
    assert buttons(card) == ["Setujui", "Tolak", "Minta perbaikan"]
    documents = world.tg.sent_documents(GROUP)
    assert len(documents) == 3 and all((d.caption or "").startswith(f"{req.code}: ") for d in documents)
    assert world.tg.sent_photos(GROUP) == []
    assert (await card_row(world, req.id)).status == "sent"


async def test_attachments_refused_in_every_form_are_named_and_the_card_arrives(world: World) -> None:
    for method in ("sendMediaGroup", "sendPhoto", "sendDocument"):
        world.tg.fail_next(method, status=400, retry_after=None, times=10, description=REFUSED, chat_id=GROUP)
    req = await submitted_request(world)
    [card] = cards_of(world, req.code)
    assert buttons(card) == ["Setujui", "Tolak", "Minta perbaikan"]
    note = next(t for t in world.tg.messages_to(GROUP) if "tidak dapat ditampilkan" in t)
    assert note.startswith(f"{req.code}: lampiran ") and note.count(",") == 2  # all three named
    assert (await card_row(world, req.id)).status == "sent"


async def test_a_card_delivered_again_after_a_crash_reuses_the_posted_card(world: World) -> None:
    req = await submitted_request(world)
    [card] = cards_of(world, req.code)
    # The process died after posting the card (its message id recorded) but before the row was marked sent.
    sends = len(world.tg.calls_of("sendMessage"))
    async with world.services.sessions.begin() as s:
        await s.execute(update(OutboxMessage).where(OutboxMessage.id == (await card_row(world, req.id)).id)
                        .values(status="pending", sent_at=None))
    row = await card_row(world, req.id)
    for _ in range(1000):
        if row.status == "sent":
            break
        await asyncio.sleep(0.01)
        row = await card_row(world, req.id)
    assert row.status == "sent" and row.result == {"message_id": card["message_id"], "reused": True}
    assert cards_of(world, req.code) == [card]  # no second card, and the first is up to date
    assert len(world.tg.calls_of("sendMessage")) == sends and len(world.tg.calls_of("sendMediaGroup")) == 1
    await world.staff().press(req.code, "approve")
    [decided] = cards_of(world, req.code)
    assert decided["message_id"] == card["message_id"] and buttons(decided) == [] and "DISETUJUI" in decided["text"]


async def test_a_press_on_the_card_of_a_decided_request_gets_a_clear_answer(world: World) -> None:
    req = await submitted_request(world)
    [card] = cards_of(world, req.code)
    await world.staff().press(req.code, "approve")
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
        post = await s.scalar(select(ModerationPost).where(ModerationPost.request_id == req.id))
    assert row is not None and row.status == "issued"
    assert post is not None and post.message_id == str(card["message_id"])
    # A press on a button of the card as it was (an old card, e.g. one posted before a crash).
    update_ = world.tg.user_presses(STAFF_ID, GROUP, card["message_id"], f"m:approve:{req.id}", first_name="Petugas")
    await settled(world.tg, world.services, update_, GROUP)
    answer = world.tg.callback_answer(update_["callback_query"]["id"])
    assert answer is not None and answer.get("show_alert")
    assert "sudah diputuskan: DISETUJUI, surat terbit" in answer["text"]
