"""Verify by forwarding: a verifier sends the bot (here the web chat, on both databases) the issued letter's PDF,
or a photo of its QR code (rendered, rotated 10 degrees, JPEG-compressed), and gets the page's verdict in the
chat: ASLI; a QR whose seal was tampered with gets TIDAK VALID; a picture without an e-Surat QR code is told
so. The sent file is deleted once checked."""

from __future__ import annotations

import io

import httpx
import pypdfium2 as pdfium
import qrcode
from PIL import Image
from sqlalchemy import select

from db.models import Attachment, Letter
from tests.support.letters import qr_texts
from tests.support.webchat import Demo, Resident
from tests.web.test_api import act, cards, submitted_sktm


async def issued_pdf(demo: Demo) -> bytes:
    await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert (await act(demo.client, card["request_id"], "approve")).status_code == 200
    async with demo.services.sessions() as s:
        letter = await s.scalar(select(Letter))
    assert letter is not None
    return demo.services.issuing.pdf_path(letter).read_bytes()


async def forward(demo: Demo, data: bytes, name: str, media_type: str) -> str:
    verifier = Resident(httpx.AsyncClient(transport=demo.transport, base_url="http://127.0.0.1"))
    try:
        await verifier.open()
        _, said = await verifier.upload(data, name, media_type)
        assert any("Kami periksa keaslian" in m.get("text", "") for m in said), said
        await demo.services.follow_ups.run_once()
        return "\n".join(m.get("text", "") for m in await verifier.poll())
    finally:
        await verifier.client.aclose()


def photographed(pdf: bytes) -> bytes:
    page = pdfium.PdfDocument(pdf)[0].render(scale=2.5).to_pil().convert("RGB")
    tilted = page.rotate(10, expand=True, fillcolor="white")
    out = io.BytesIO()
    tilted.save(out, "JPEG", quality=60)
    return out.getvalue()


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text, box_size=6, border=4).save(out, format="PNG")
    return out.getvalue()


async def test_the_pdf_and_a_photo_of_its_qr_are_asli_and_the_files_are_deleted(demo: Demo) -> None:
    pdf = await issued_pdf(demo)
    answer = await forward(demo, pdf, "surat.pdf", "application/pdf")
    assert "Hasil pemeriksaan: ASLI" in answer and "Kelurahan Bukit Tunggal" in answer and "/v/" in answer
    assert "6271********" in answer  # masked, as on the page
    answer = await forward(demo, photographed(pdf), "foto.jpg", "image/jpeg")
    assert "Hasil pemeriksaan: ASLI" in answer
    async with demo.services.sessions() as s:
        checked = list(await s.scalars(select(Attachment).where(Attachment.deleted_reason == "verification")))
    assert len(checked) == 2
    uploads = demo.services.settings.storage.uploads_dir
    assert all(not (uploads / a.path).exists() for a in checked)


async def test_a_tampered_seal_is_tidak_valid_and_no_qr_is_said(demo: Demo) -> None:
    pdf = await issued_pdf(demo)
    [url] = qr_texts(pdf)
    tampered = url[:-6] + ("A" if url[-6] != "A" else "B") + url[-5:]
    assert "Hasil pemeriksaan: TIDAK VALID" in await forward(demo, qr_png(tampered), "qr.png", "image/png")
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(blank, format="PNG")
    assert "Kode QR surat e-Surat tidak ditemukan" in await forward(demo, blank.getvalue(), "x.png", "image/png")
