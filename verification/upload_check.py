"""The verdict on an uploaded file, checked on a letter's page: the document in hand is what counts.

- SAMA: byte for byte the letter issued under this page (the page keeps the letter's own verdict).
- SURAT LAIN: a PDF whose e-surat signature is whole and trusted, but whose letter number (signed, in the
  document information) is another letter's: it is genuine, and not this letter.
- BERBEDA: any other PDF (changed after signing, signature broken, unsigned, signed by someone else).
- TIDAK TERBACA: a file that starts like a PDF but cannot be read.
- BUKAN PDF: not a PDF at all (the signature is then not checked).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from verification.checks import CodedVerdict
from verification.pades import PadesReport
from verification.records import LetterRecord, LetterRecordSource

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # readers accept the header anywhere in the first kilobyte


class UploadVerdict(CodedVerdict):
    SAME = ("same", "SAMA")
    OTHER_LETTER = ("other_letter", "SURAT LAIN")
    ALTERED = ("altered", "BERBEDA")
    UNREADABLE = ("unreadable", "TIDAK TERBACA")
    NOT_PDF = ("not_pdf", "BUKAN PDF")


@dataclass(frozen=True)
class UploadResult:
    verdict: UploadVerdict
    identical: bool
    report: PadesReport | None  # None when the file is not a PDF
    other_number: str | None = None  # SURAT LAIN: the number the file carries
    other: LetterRecord | None = None  # ... and its record, when it is in the registry

    def log_line(self) -> str:
        """One line for the log: the verdict and the library's summary; no name, NIK or number."""
        detail = self.report.detail if self.report else "bukan PDF"
        return f"Pemeriksaan berkas unggahan: {self.verdict.label} ({detail})"


def looks_like_pdf(data: bytes) -> bool:
    return PDF_MAGIC in data[:MAGIC_WINDOW]


def same_bytes(data: bytes, record: LetterRecord) -> bool:
    return hmac.compare_digest(hashlib.sha256(data).hexdigest(), record.pdf_sha256)


async def judge_upload(data: bytes, report: PadesReport | None, record: LetterRecord,
                       source: LetterRecordSource) -> UploadResult:
    identical = same_bytes(data, record)
    if report is None:
        return UploadResult(UploadVerdict.NOT_PDF, identical, None)
    if identical:
        return UploadResult(UploadVerdict.SAME, True, report)
    if not report.readable:
        return UploadResult(UploadVerdict.UNREADABLE, False, report)
    if report.ok and report.number and report.number != record.number:
        other = await source.get_by_number(report.number)
        return UploadResult(UploadVerdict.OTHER_LETTER, False, report, report.number, other)
    return UploadResult(UploadVerdict.ALTERED, False, report)
