"""The resident's `status` answer: their recent requests and what each state means."""

from __future__ import annotations

from typing import Any

from db.models import LetterRequest

STATUS_LABELS = {
    "draft": "Draf",
    "submitted": "Menunggu pemeriksaan petugas",
    "needs_revision": "Perlu perbaikan dari Anda",
    "approved": "Disetujui, surat sedang diterbitkan",
    "issued": "Surat telah terbit",
    "rejected": "Ditolak",
    "cancelled": "Dibatalkan",
    "revoked": "Surat dicabut",
}


def status_text(requests: list[LetterRequest], catalogue: Any) -> str:
    if not requests:
        return "Anda belum memiliki permohonan. Ketik 'mulai' untuk mengajukan surat."
    lines = ["Permohonan Anda:"]
    for r in requests:
        ltype = catalogue.get(r.letter_type)
        title = ltype.short_title if ltype else r.letter_type
        extra = f" ({r.reason})" if r.status == "rejected" and r.reason else ""
        number = f", nomor surat {r.number}" if r.number else ""
        lines.append(f"- {r.code} {title}: {STATUS_LABELS.get(r.status, r.status)}{extra}{number}")
    return "\n".join(lines)
