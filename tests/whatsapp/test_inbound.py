"""What a resident sends on WhatsApp, through the running service: anything but text, choices and files gets
the current question again; photos are fetched by media id into the upload store (a Graph API hiccup is
retried from the inbox, a refused media id is a file the resident is told about); a restart in the middle of
a conversation loses nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Attachment, LetterRequest
from lifecycle.transitions import Status
from tests.support.telegram import jpeg
from tests.support.whatsapp import WA_ID, WaResident, WaWorld, inbox_rows, settled, wa_world, wamid_of


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[WaWorld]:
    async with wa_world(tmp_path / "data", db_url) as w:
        yield w


async def at_first_upload(world: WaWorld) -> WaResident:
    resident = world.resident()
    await resident.start("sku")
    assert await resident.fill(stop_at_attachment=True) is False
    return resident


async def test_anything_else_gets_the_current_question_again(world: WaWorld) -> None:
    resident = world.resident()
    await resident.start("sku")
    question = resident.last_text().split("\n\n")[-1]  # e.g. "Siapa nama lengkap Anda, sesuai KTP?"
    state = await resident.state()
    wa = world.wa
    for payload in (wa.user_sends_sticker(WA_ID), wa.user_sends_audio(WA_ID), wa.user_sends_location(WA_ID),
                    wa.user_sends_unsupported(WA_ID),
                    wa.user_sends(WA_ID, "reaction", {"message_id": wa.sent_to(WA_ID)[-1].wamid, "emoji": "👍"}),
                    wa.user_sends(WA_ID, "button", {"payload": "Lanjutkan", "text": "Lanjutkan"})):
        before = len(wa.sent_to(WA_ID))
        await resident.send(payload)
        assert len(wa.sent_to(WA_ID)) == before + 1
        assert resident.last_text().split("\n\n")[-1] == question  # after the engine's hint for an empty answer
        now = await resident.state()
        assert (now.step, now.draft) == (state.step, state.draft)


async def test_typed_commands_work_as_on_telegram(world: WaWorld) -> None:
    resident = world.resident()
    await resident.text("/start")
    await resident.press("ya")
    await resident.text("/status")
    assert "belum memiliki permohonan" in "\n".join(world.wa.messages_to(WA_ID)[-2:])
    before = len(world.wa.sent_to(WA_ID))
    await resident.text("data saya")
    assert len(world.wa.sent_to(WA_ID)) > before


async def test_a_photo_is_fetched_by_media_id_and_stored(world: WaWorld) -> None:
    resident = await at_first_upload(world)
    kind = next(iter(world.services.catalogue["sku"].attachments)).kind
    data = jpeg()
    await resident.photo(data)
    draft = (await resident.state()).draft
    ref = draft.attachments[kind]
    async with world.services.sessions() as s:
        att = await s.get(Attachment, int(ref))
    assert att is not None and att.media_type == "image/jpeg" and att.size == len(data)
    assert world.wa.calls_of("media_url") and world.wa.calls_of("download")


async def test_a_graph_api_hiccup_is_retried_from_the_inbox(world: WaWorld) -> None:
    resident = await at_first_upload(world)
    world.wa.fail_next("media_url", code=131000, status=503)
    world.wa.fail_next("download", code=4, times=1)
    payload = world.wa.user_sends_image(WA_ID, jpeg())
    await resident.send(payload)
    kind = next(iter(world.services.catalogue["sku"].attachments)).kind
    assert (await resident.state()).draft.attachments[kind]
    rows = await inbox_rows(world.services.sessions)
    assert rows[-1].update_id == wamid_of(payload) and rows[-1].attempts == 3  # two failures, then handled


async def test_a_media_id_the_api_refuses_is_an_unusable_file(world: WaWorld) -> None:
    resident = await at_first_upload(world)
    state = await resident.state()
    payload = world.wa.user_sends(WA_ID, "image", {"id": "999999999999", "mime_type": "image/jpeg",
                                                   "sha256": "x"})
    await resident.send(payload)
    assert (await resident.state()).draft.attachments == state.draft.attachments  # still asked for
    assert resident.last_text()


async def test_a_file_over_the_limit_is_not_downloaded(world: WaWorld) -> None:
    resident = await at_first_upload(world)
    limit = world.services.settings.storage.upload_max_bytes
    big = jpeg() + b"\x00" * limit
    before = len(world.wa.calls_of("download"))
    await resident.send(world.wa.user_sends_document(WA_ID, big, "kk.jpg", mime_type="image/jpeg"))
    assert len(world.wa.calls_of("download")) == before
    assert "MB" in resident.last_text()


async def test_a_restart_mid_conversation_loses_nothing(world: WaWorld) -> None:
    resident = world.resident()
    await resident.start("sku")
    chosen = await resident.state()
    services = await world.service.restart()
    resident = WaResident(world.wa, services)
    assert await resident.state() == chosen
    assert await resident.fill(stop_at_attachment=True) is False
    answered = (await resident.state()).draft.fields
    # A photo stored by the webhook but perhaps not handled before the stop is handled after the restart.
    payload = world.wa.user_sends_image(WA_ID, jpeg())
    assert (await world.wa.post_webhook(payload)).status_code == 200
    services = await world.service.restart()
    await settled(services, wamid_of(payload))
    resident = WaResident(world.wa, services)
    state = await resident.state()
    assert state.draft.fields == answered and len(state.draft.attachments) == 1
    assert await resident.fill() is True
    await resident.press("kirim")
    async with services.sessions() as s:
        req = await s.scalar(select(LetterRequest).order_by(LetterRequest.id.desc()).limit(1))
    assert req is not None and req.status == Status.SUBMITTED and req.letter_type == "sku"
    assert req.fields["nama_usaha"] == "Warung Makan Berkah"
    assert any(req.code in t for t in world.wa.messages_to(WA_ID))
    assert all(r.status == "done" for r in await inbox_rows(services.sessions))
