"""The authorization matrix, one test each (some repeat, in one place, what tests/telegram/test_moderation.py,
tests/moderation and tests/web check): staff of one kelurahan cannot act on another's requests from any
channel; a member of the moderation group who is not staff cannot act; forged or replayed callback data
does nothing; a resident sees and cancels only their own requests; the verification page and API show
only masked data; /demo does not exist outside demo mode."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import flows
from db.directory import add_staff, update_kelurahan
from db.models import AuditEvent, Letter, LetterRequest, Resident
from lifecycle.actors import Actor
from lifecycle.errors import NotAuthorized
from tests.privacy.conftest import demo_service
from tests.support.flows import ANSWERS, DEPENDANT
from tests.support.telegram import GROUP, RESIDENT_ID, STAFF_ID, World, settled, submitted_request
from tests.support.webchat import Demo
from tests.web.test_api import SLUG, act, cards, submitted_sktm

OTHER_GROUP, OTHER_STAFF, OUTSIDER, OTHER_RESIDENT = -1009876543, 7101, 9999, 5002


async def request_row(world: World, request_id: int) -> LetterRequest:
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, request_id)
    assert row is not None
    return row


async def decisions(world: World) -> int:
    async with world.services.sessions() as s:
        return await s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["approve", "reject", "request_revision"]))) or 0


async def press(world: World, user_id: int, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
    """A button press (callback query) and the bot's answer to it."""
    update = world.tg.user_presses(user_id, chat_id, message_id, data, first_name="Petugas")
    await settled(world.tg, world.services, update, chat_id)
    return world.tg.callback_answer(update["callback_query"]["id"]) or {}


async def unchanged(world: World, req: LetterRequest) -> None:
    row = await request_row(world, req.id)
    assert row.status == "submitted" and row.number is None
    assert await decisions(world) == 0


async def test_staff_of_another_kelurahan_cannot_act_from_any_telegram_group(token_world: World) -> None:
    world = token_world
    await update_kelurahan(world.services.sessions, "menteng", telegram_chat_id=OTHER_GROUP)
    await add_staff(world.services.sessions, "menteng", name="Dewi (Menteng)", role="lurah",
                    telegram_user_id=OTHER_STAFF)
    req = await submitted_request(world)
    card = world.staff().card(req.code)
    for action in ("approve", "reject", "revise"):
        data = f"m:{action}:{req.id}"
        answer = await press(world, OTHER_STAFF, GROUP, card["message_id"], data)  # in Bukit Tunggal's group
        assert answer.get("show_alert") and "tidak terdaftar" in answer.get("text", ""), answer
        answer = await press(world, OTHER_STAFF, OTHER_GROUP, 1, data)  # from Menteng's own group
        assert answer.get("show_alert") and "tidak terdaftar" in answer.get("text", ""), answer
    await unchanged(world, req)
    # Nor by answering the prompt Bukit Tunggal's operator opened for a rejection reason.
    await world.staff().press(req.code, "reject")
    prompt = next(m for m in reversed(world.tg.bot_messages(GROUP)) if "membalas pesan ini" in (m.get("text") or ""))
    update = world.tg.user_replies(OTHER_STAFF, GROUP, prompt["message_id"], "Ditolak oleh kelurahan lain")
    await settled(world.tg, world.services, update, GROUP)
    await unchanged(world, req)
    assert "tidak terdaftar" in world.tg.messages_to(GROUP)[-1]


async def test_a_group_member_who_is_not_staff_cannot_act(token_world: World) -> None:
    world = token_world
    req = await submitted_request(world)
    card = world.staff().card(req.code)
    for action in ("approve", "reject", "revise"):
        answer = await press(world, OUTSIDER, GROUP, card["message_id"], f"m:{action}:{req.id}")
        assert answer.get("show_alert") and "tidak terdaftar" in answer.get("text", ""), answer
    await world.staff().press(req.code, "revise")
    prompt = next(m for m in reversed(world.tg.bot_messages(GROUP)) if "membalas pesan ini" in (m.get("text") or ""))
    update = world.tg.user_replies(OUTSIDER, GROUP, prompt["message_id"], "Alamat salah")
    await settled(world.tg, world.services, update, GROUP)
    await unchanged(world, req)
    assert world.staff().card(req.code)["reply_markup"]["inline_keyboard"]  # still open for the staff


async def test_forged_and_replayed_callback_data_do_nothing(token_world: World) -> None:
    world = token_world
    req = await submitted_request(world)
    card = world.staff().card(req.code)
    for data in (f"m:approve:{req.id + 1000}", "m:approve:abc", f"m:delete:{req.id}", "m:approve", "m::",
                 f"m:approve:{req.id}:extra", f"m:approve:-{req.id}", "m:approve:0"):
        answer = await press(world, STAFF_ID, GROUP, card["message_id"], data)
        assert answer.get("show_alert"), (data, answer)
        await unchanged(world, req)
    # A resident's choice pressed in the group, and a moderation button forged in a private chat.
    await press(world, STAFF_ID, GROUP, card["message_id"], "c:kirim")
    answer = await press(world, RESIDENT_ID, RESIDENT_ID, 1, f"m:approve:{req.id}")
    assert "tidak terdaftar" in answer.get("text", "")
    await unchanged(world, req)

    approval = await world.staff().press(req.code, "approve")
    number = (await request_row(world, req.id)).number
    world.tg.queue_update(approval)  # the same update delivered again (a retried webhook, a restart)
    await settled(world.tg, world.services, approval, GROUP)
    answer = await press(world, STAFF_ID, GROUP, card["message_id"], f"m:approve:{req.id}")  # the old card, again
    assert answer.get("show_alert") and "tidak dapat" in answer.get("text", ""), answer
    answer = await press(world, STAFF_ID, GROUP, card["message_id"], f"m:reject:{req.id}")
    row = await request_row(world, req.id)
    assert row.status == "issued" and row.number == number and await decisions(world) == 1
    async with world.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Letter)) == 1
    assert len(world.tg.sent_documents(RESIDENT_ID)) == 1


async def test_a_resident_sees_and_cancels_only_their_own_requests(token_world: World) -> None:
    world = token_world
    req = await submitted_request(world)
    other = world.resident(OTHER_RESIDENT)
    await other.text("/start")
    await other.press("ya")
    for command in ("/status", "data saya", "batal"):
        await other.text(command)
        seen = "\n".join(world.tg.messages_to(OTHER_RESIDENT)[-2:])
        assert req.code not in seen and ANSWERS["nama"] not in seen and "6271" not in seen, (command, seen)
    await other.text("/status")
    assert "belum memiliki permohonan" in world.tg.messages_to(OTHER_RESIDENT)[-1]
    # Even an effect forged past the engine cannot withdraw or resubmit another resident's request.
    async with world.services.sessions() as s:
        intruder = await s.scalar(select(Resident).where(Resident.external_id == str(OTHER_RESIDENT)))
    assert intruder is not None
    for effect in (flows.CancelRequest(request_id=req.id),
                   flows.SubmitRequest(kelurahan_slug="bukit-tunggal", letter_type="sktm", fields={}, attachments={},
                                       revision_of=req.id)):
        with pytest.raises(NotAuthorized, match="bukan milik Anda"):
            async with world.services.sessions.begin() as s:
                await world.services.conversation.execute(s, intruder, effect)
    with pytest.raises(NotAuthorized):
        await world.services.lifecycle.cancel(req.id, Actor.resident(intruder.id))
    assert (await request_row(world, req.id)).status == "submitted"


async def test_the_verification_page_and_api_show_only_masked_data(token_world: World) -> None:
    world = token_world
    req = await submitted_request(world)
    await world.staff().press(req.code, "approve")
    async with world.services.sessions() as s:
        letter = await s.scalar(select(Letter).where(Letter.request_id == req.id))
    assert letter is not None
    pdf = world.tg.sent_documents(RESIDENT_ID)[0].data
    base = world.service.base_url
    async with httpx.AsyncClient() as client:
        answers = [
            await client.get(f"{base}/v/{letter.public_id}", params={"s": letter.seal}),
            await client.get(f"{base}/v/{letter.public_id}", params={"s": letter.seal},
                             headers={"Accept": "application/json"}),
            await client.post(f"{base}/v/{letter.public_id}/check", files={"pdf": ("surat.pdf", pdf)}),
            await client.post(f"{base}/v/{letter.public_id}/check", files={"pdf": ("surat.pdf", pdf)},
                              headers={"Accept": "application/json"}),
            await client.get(f"{base}/.well-known/esurat-keys.json"),
        ]
    full = [ANSWERS["nik"], ANSWERS["no_kk"], "81234567890", ANSWERS["nama"], "Aminah", "G. Obos", "Wiraswasta",
            DEPENDANT["nik"], DEPENDANT["nama"], "1990", ANSWERS["keperluan"]]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        for value in full:
            assert value not in answer.text, (value, answer.request.url)
    assert "6271********0001" in answers[1].text and "SITI A***" in answers[1].text
    assert "ASLI" in answers[0].text and answers[3].json()["status"] == "ASLI"


async def test_staff_of_another_kelurahan_cannot_act_from_the_web_staff_pane(demo: Demo) -> None:
    await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert (await cards(demo.client, "menteng"))["cards"] == []
    for action, text in (("approve", ""), ("reject", "bukan wilayah kami"), ("revise", "alamat")):
        r = await act(demo.client, card["request_id"], action, text, slug="menteng")
        assert r.status_code == 409 and "tidak terdaftar" in r.json()["error"], r.text
    for attachment in card["attachments"]:
        assert (await demo.client.get(f"/demo/api/staff/menteng/attachments/{attachment['id']}")).status_code == 404
    [again] = (await cards(demo.client))["cards"]
    assert again["status"] == "submitted" and again["actions"]
    ok = await act(demo.client, card["request_id"], "approve", slug=SLUG)
    assert ok.status_code == 200


async def test_demo_does_not_exist_outside_demo_mode(tmp_path: Any, db_url: str) -> None:
    async with demo_service(tmp_path / "demo", db_url) as demo:
        paths = {p: list(ops) for p, ops in demo.app.openapi()["paths"].items() if p.startswith("/demo")}
        assert (await demo.client.get("/demo/static/demo.js")).status_code == 200
    assert len(paths) >= 8
    async with demo_service(tmp_path / "run", db_url, demo=False) as run:
        for path, methods in paths.items():
            url = path.replace("{slug}", SLUG).replace("{attachment_id}", "1").replace("{name}", "1.pdf")
            for method in {*methods, "get", "post"}:
                r = await run.client.request(method.upper(), url, json={"text": "halo"})
                assert r.status_code == 404, (method, url, r.status_code)
        for url in ("/demo/static/demo.js", "/demo/static/ktp-contoh.png", "/demo/"):
            assert (await run.client.get(url)).status_code == 404, url
        home = await run.client.get("/")
        assert home.status_code == 200 and 'href="/demo"' not in home.text
