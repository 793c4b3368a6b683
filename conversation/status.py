"""The resident's `status` answer: their recent requests and what each state means."""

from __future__ import annotations

from db.models import LetterRequest
from flows import Catalogue
from lifecycle.transitions import Status

STATUS_LABELS: dict[str, str] = {
    Status.DRAFT: "Draf",
    Status.SUBMITTED: "Menunggu pemeriksaan petugas",
    Status.CHECKED: "Sudah diperiksa, menunggu persetujuan Lurah",
    Status.NEEDS_REVISION: "Perlu perbaikan dari Anda",
    Status.APPROVED: "Disetujui, surat sedang diterbitkan",
    Status.ISSUED: "Surat telah terbit",
    Status.REJECTED: "Ditolak",
    Status.CANCELLED: "Dibatalkan",
    Status.REVOKED: "Surat dicabut",
}


def status_text(requests: list[LetterRequest], catalogue: Catalogue) -> str:
    if not requests:
        return "Anda belum memiliki permohonan. Ketik 'mulai' untuk mengajukan surat."
    lines = ["Permohonan Anda:"]
    for r in requests:
        ltype = catalogue.get(r.letter_type)
        title = ltype.short_title if ltype else r.letter_type
        extra = f" ({r.reason})" if r.status == Status.REJECTED and r.reason else ""
        number = f", nomor surat {r.number}" if r.number else ""
        lines.append(f"- {r.code} {title}: {STATUS_LABELS.get(r.status, r.status)}{extra}{number}")
    return "\n".join(lines)
