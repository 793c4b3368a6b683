"""A resident requests SKTM on Telegram with a KTP photo; staff approve in the group; the
resident receives the PDF, whose QR decodes and verifies as ASLI on the running service."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from db.models import LetterRequest, OutboxMessage
from tests.support.letters import qr_texts
from tests.support.telegram import GROUP, RESIDENT_ID, World, submitted_request
from verification.seal import seal_from_url


async def test_sktm_from_request_to_verified_pdf(world: World) -> None:
    tg = world.tg
    req = await submitted_request(world)
    assert any(req.code in t and "diterima" in t for t in tg.messages_to(RESIDENT_ID))
    assert tg.my_commands()  # the command menu was set at start
    # The card reached the group, with the KTP photo and the three buttons.
    card = world.staff().card(req.code)
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Setujui", "Tolak", "Minta perbaikan"]
    assert "Siti Aminah" in card["text"] and tg.sent_photos(GROUP)

    await world.staff().press(req.code, "approve")
    docs = tg.sent_documents(RESIDENT_ID)
    assert len(docs) == 1 and (docs[0].filename or "").endswith(".pdf")
    card = world.staff().card(req.code)
    assert "DISETUJUI" in card["text"]
    assert not (card.get("reply_markup") or {}).get("inline_keyboard")  # buttons gone after the decision
    messages = "\n".join(tg.messages_to(RESIDENT_ID))
    assert "DISETUJUI" in messages

    urls = qr_texts(docs[0].data)
    assert len(urls) == 1 and urls[0].startswith(world.service.base_url + "/v/")
    async with httpx.AsyncClient() as client:
        # A phone opening the QR keeps the seal in the fragment and the page's script sends it as ?s=.
        page = await client.get(urls[0].split("#")[0], params={"s": seal_from_url(urls[0])},
                                headers={"Accept": "application/json"})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["status"] == "ASLI" and body["seal"]["presented"] and body["seal"]["valid"], body
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
    assert row is not None and row.status == "issued"
    assert body["letter"]["number"] == row.number and body["letter"]["type"] == "sktm"
    assert body["letter"]["nik"] == "6271********0001" and body["letter"]["holder_name"] == "SITI A***"
    async with world.services.sessions() as s:  # outside `esurat demo` nothing is queued for the web pane
        web_rows = await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "web"))
    assert web_rows == 0


async def test_status_lists_the_residents_requests(world: World) -> None:
    resident = world.resident()
    await resident.text("/start")
    await resident.press("ya")
    await resident.text("/status")
    assert "belum memiliki permohonan" in "\n".join(world.tg.messages_to(RESIDENT_ID)[-2:])
    req = await submitted_request(world)
    await resident.text("/status")
    listing = "\n".join(world.tg.messages_to(RESIDENT_ID)[-2:])
    assert req.code in listing and "Menunggu pemeriksaan petugas" in listing
    await world.staff().press(req.code, "approve")
    await resident.text("status")  # typed, not a command
    listing = "\n".join(world.tg.messages_to(RESIDENT_ID)[-2:])
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
    assert row is not None and row.number is not None
    assert "Surat telah terbit" in listing and row.number in listing
