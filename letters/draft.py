"""The draft of a letter, for the signing official to see before approving: the letter exactly as
issuing would make it from the same `LetterSpec` (same template, fields, letterhead, signatory, date
and layout, QR block included), with a DRAF watermark over every page and a QR that seals nothing.

The draft's QR holds `draft_qr_url`: the verification page's address with the id `DRAF`, which no
letter can have (`verification.records.PUBLIC_ID_RE` wants 26 base32 characters), so the page
answers that no such letter exists; its fragment is no seal either (`verification.seal.parse_seal`
refuses it). No seal key is used, no public id drawn, nothing is PAdES-signed and nothing stored:
making a draft is a pure function of the spec and the settings.

The number is whatever the spec carries: before approval, the kelurahan's pattern with "…" in place
of the sequence (`moderation.preview.pending_number`).
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from letters.making import LetterSpec
from letters.qr import encode_qr
from letters.render import QrMark, render_letter

DRAFT_ID = "DRAF"  # never a letter's public id
DRAFT_MARK = "DRAF-BUKAN-SURAT-SAH"  # the fragment where an issued letter's QR carries its seal


def draft_qr_url(public_url: str) -> str:
    """What a draft's QR holds: an address of the verification page that names no letter."""
    return f"{public_url.rstrip('/')}/v/{DRAFT_ID}#{DRAFT_MARK}"


@dataclass(frozen=True)
class DraftLetter:
    spec: LetterSpec
    pdf_bytes: bytes
    qr_url: str


class DraftMaker:
    """Makes drafts on the paper and with the public URL of the letters it previews."""

    def __init__(self, paper: str, public_url: str) -> None:
        self.paper = paper
        self.qr_url = draft_qr_url(public_url)
        self._qr = QrMark(self.qr_url, encode_qr(self.qr_url))

    @classmethod
    def for_settings(cls, settings: Settings) -> DraftMaker:
        return cls(settings.paper, settings.http.public_url)

    def make(self, spec: LetterSpec) -> DraftLetter:
        pdf = render_letter(spec.content(), self.paper, self._qr, draft=True)
        return DraftLetter(spec=spec, pdf_bytes=pdf, qr_url=self.qr_url)
