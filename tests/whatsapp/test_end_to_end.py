"""End to end, SQLite and PostgreSQL: a resident requests a Surat Keterangan Usaha on WhatsApp (fake Graph API)
with photos of the requirements, the KK among them; staff approve in the kelurahan's Telegram moderation group
(fake Bot API), where the card says the request came from WhatsApp; the resident receives the PDF as a
WhatsApp document, whose QR decodes and verifies ASLI on the running service; a verifier who forwards that
PDF to the bot on WhatsApp gets ASLI back in the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from db.models import LetterRequest
from lifecycle.transitions import Status
from tests.support.letters import qr_texts
from tests.support.telegram import GROUP, STAFF_ID, Staff, register
from tests.support.whatsapp import WA_ID, WaWorld, wa_world
from verification.seal import seal_from_url


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[WaWorld]:
    async with wa_world(tmp_path / "data", db_url, telegram=True) as w:
        await register(w.services)
        yield w


async def test_sku_on_whatsapp_from_request_to_verified_pdf(world: WaWorld) -> None:
    wa, tg = world.wa, world.tg
    assert tg is not None
    resident = world.resident()
    await resident.start("sku")
    assert await resident.fill() is True  # every question, and a photo for every requirement
    attachments = (await resident.state()).draft.attachments
    assert set(attachments) == {"pengantar_rt_rw", "ktp", "kk"} and all(attachments.values())
    await resident.press("kirim")
    async with world.services.sessions() as s:
        req = await s.scalar(select(LetterRequest).order_by(LetterRequest.id.desc()).limit(1))
    assert req is not None and req.status == Status.SUBMITTED and req.letter_type == "sku"
    assert any(req.code in t and "diterima" in t for t in wa.messages_to(WA_ID))

    # The card reaches the Telegram group, says where the resident asked, and shows the photos.
    staff = Staff(tg, world.services, STAFF_ID, GROUP)

    def card() -> dict[str, Any] | None:
        try:
            return staff.card(req.code)
        except AssertionError:
            return None

    shown = await tg.wait_until(card, timeout=15, what=f"the card of {req.code}")
    assert "Kanal: WhatsApp" in shown["text"] and "Warung Makan Berkah" in shown["text"]
    labels = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Setujui", "Tolak", "Minta perbaikan"]
    await tg.wait_until(lambda: len(tg.sent_photos(GROUP)) >= 3, timeout=15, what="the requirement photos")

    since = wa.mark()
    await staff.press(req.code, "approve")
    doc = await wa.wait_document(WA_ID, timeout=30, since=since)
    assert (doc.filename or "").endswith(".pdf") and doc.mime_type == "application/pdf" and doc.data
    assert not wa.templates_to(WA_ID)  # the resident wrote minutes ago: free-form messages, no template
    async with world.services.sessions() as s:
        row = await s.get(LetterRequest, req.id)
    assert row is not None and row.status == Status.ISSUED and row.number
    assert any(row.number in t or req.code in t for t in wa.messages_to(WA_ID)[-3:] + [doc.caption or ""])
    assert "DISETUJUI" in staff.card(req.code)["text"]

    urls = qr_texts(doc.data)
    assert len(urls) == 1 and urls[0].startswith(world.service.base_url + "/v/")
    async with httpx.AsyncClient() as client:
        page = await client.get(urls[0].split("#")[0], params={"s": seal_from_url(urls[0])},
                                headers={"Accept": "application/json"})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["status"] == "ASLI" and body["seal"]["presented"] and body["seal"]["valid"], body
    assert body["letter"]["number"] == row.number and body["letter"]["type"] == "sku"
    assert body["letter"]["nik"] == "6271********0001"

    # A verifier forwards the letter to the bot on WhatsApp: the page's verdict comes back in the chat.
    verifier = world.resident("6281299990000")
    await verifier.send(wa.user_sends_document(verifier.wa_id, doc.data, "surat.pdf", name="Verifikator"))
    said = await wa.wait_until(
        lambda: next((t for t in wa.messages_to(verifier.wa_id) if "Hasil pemeriksaan" in t), None),
        timeout=30, what="the verdict on the forwarded letter")
    assert "Hasil pemeriksaan: ASLI" in said and row.number in said
