"""Verify by forwarding: a letter (its PDF, or a photo of its QR code) sent to the bot with no request under way
gets the same verdict as the verification page, in the chat. The chat schedules a `verify_document` follow-up
(`conversation.service`); this handler reads the stored file, finds the e-Surat QR code in it (zxing-cpp; a PDF
is rendered first with pdfium), judges it (`verification.judging`, as `/v/` does), writes the answer to the
chat's outbox, and deletes the file (it is never kept: reason `verification`)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.follow_ups import Job
from db.models import Attachment
from db.outbound import TextOut
from db.outbox import enqueue
from db.retention import CHECKED, mark_deleted, remove_files
from flows.dates import format_date, local_date
from verification.checks import Verdict
from verification.judging import judge, presented
from verification.keys import KeyStore
from verification.public_view import MESSAGES
from verification.records import LetterRecordSource

NO_QR = ("Kode QR surat e-Surat tidak ditemukan pada berkas ini. Kirim berkas PDF surat yang Anda terima, atau "
         "foto kode QR-nya yang tajam dan utuh.")
GONE = "Berkas untuk diperiksa tidak lagi tersedia; mohon kirim ulang."
RENDER_SCALE = 3.0  # pdfium renders at 72 dpi x this: the QR's 0.55 mm modules become ~5 pixels


def qr_texts(data: bytes, media_type: str) -> list[str]:
    """The texts of the full-size QR codes in a PDF (every page) or an image. zxing-cpp 3's `QRCode` is the
    whole family and can read a phantom Micro QR inside a real code's edge: only model 2 is asked for."""
    import zxingcpp
    from PIL import Image

    qr = getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", zxingcpp.BarcodeFormat.QRCode)
    images: list[Any] = []
    if media_type == "application/pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        images = [doc[i].render(scale=RENDER_SCALE).to_pil() for i in range(min(len(doc), 5))]
    else:
        images = [Image.open(io.BytesIO(data)).convert("L")]
    return [r.text for image in images
            for r in zxingcpp.read_barcodes(image, formats=qr) if r.text]  # type: ignore[arg-type]


class ForwardedCheck:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], uploads_dir: Path, source: LetterRecordSource,
                 keystore: KeyStore, public_url: str, clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.uploads_dir = uploads_dir
        self.source = source
        self.keystore = keystore
        self.public_url = public_url.rstrip("/")
        self.clock = clock

    async def handle(self, job: Job) -> None:
        """The `verify_document` follow-up: answer once (a repeated run after the answer finds the file gone)."""
        attachment_id, channel, chat = int(job.payload["attachment_id"]), job.payload["channel"], job.payload["chat_id"]
        async with self.sessions() as session:
            att = await session.get(Attachment, attachment_id)
        if att is None or att.deleted_at is not None:
            return  # answered (and deleted) by an earlier run
        path = self.uploads_dir / att.path
        texts = await asyncio.to_thread(qr_texts, path.read_bytes(), att.media_type) if path.is_file() else None
        answer = GONE if texts is None else await self.answer(texts)
        async with self.sessions.begin() as session:
            att = await session.get(Attachment, attachment_id)
            if att is None or att.deleted_at is not None:
                return
            await enqueue(session, str(channel), str(chat), TextOut(text=answer), self.clock())
            paths = await mark_deleted(session, [att], self.clock(), CHECKED)
            event.listen(session.sync_session, "after_commit",
                         lambda _s: remove_files(self.uploads_dir, paths), once=True)

    async def answer(self, texts: list[str]) -> str:
        ours = [(pid, seal) for pid, seal in map(presented, texts) if pid]
        if not ours:
            return NO_QR
        public_id, seal = ours[0]
        judged = await judge(self.source, self.keystore, public_id, seal, local_date(self.clock()))
        if judged is None:
            return f"Hasil pemeriksaan: {Verdict.NOT_FOUND.label}\n{MESSAGES[Verdict.NOT_FOUND]}"
        r, verdict = judged.record, judged.verdict
        lines = [f"Hasil pemeriksaan: {verdict.label}", MESSAGES[verdict],
                 f"{r.letter_type_title} nomor {r.number}, diterbitkan Kelurahan {r.kelurahan}, Kecamatan "
                 f"{r.kecamatan}, tanggal {format_date(r.issued_on)}.",
                 f"Atas nama {r.holder_name_masked} (NIK {r.nik_masked}; disamarkan).",
                 f"Segel QR: {judged.seal.message}"]
        if r.replaced_by_number:
            lines.append(f"Surat pengganti: nomor {r.replaced_by_number}.")
        lines.append(f"Halaman pemeriksaan: {self.public_url}/v/{r.public_id}")
        return "\n".join(lines)
