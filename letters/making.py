"""Making a letter: render, QR code, seal, PAdES signature; the only place a QR is made.

`LetterMaker.make(spec)` turns a `LetterSpec` (what to make) into a `MadeLetter` (the
signed PDF and its seal data). Storing the PDF and its row is issuing
(`lifecycle.issuing`). The preview before approval, the same letter unsealed and
watermarked, is `letters.draft`; `render_draft` is a bare draft (no number, no QR).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from config.settings import Settings
from flows.dates import local_date
from flows.definitions import LetterTypeDef
from letters.flowables import SignatureSpot
from letters.letterhead import Letterhead
from letters.qr import QrTooLarge, encode_qr
from letters.render import LetterContent, QrMark, render_letter
from letters.signing import PdfSigner
from verification.keys import KeyStore
from verification.masking import mask_name, mask_nik
from verification.seal import SealedFields, content_digest, make_seal, qr_url

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# The longest seal expected: 30-character number, 16-character type code, the longest
# kelurahan slug (17), a 12-letter first name, every date and digit present.
_LONGEST_SEAL = ":".join([
    "ES1", "AAAA", "400.12.2.2/1017/ABCD/XII/2026", "X" * 16, "X" * 17, "X" * 13 + " X***", "6271********0001",
    "9" * 249,
])


def check_qr_capacity(public_url: str) -> None:
    """Fail at start-up, not at issuance, when ESURAT_PUBLIC_URL is too long for the QR."""
    try:
        encode_qr(qr_url(public_url, "A" * 26, _LONGEST_SEAL))
    except QrTooLarge as exc:
        raise QrTooLarge(f"ESURAT_PUBLIC_URL {public_url!r} is too long for a version-11 QR: {exc}") from exc


def new_public_id() -> str:
    """130 random bits in base32 (26 characters), matching `verification.records.PUBLIC_ID_RE`."""
    return "".join(secrets.choice(_BASE32) for _ in range(26))


@dataclass(frozen=True)
class LetterSpec:
    """What to make: the type, the letterhead, the formatted content, the number and the moment."""

    letter_type: LetterTypeDef
    letterhead: Letterhead
    values: dict[str, str]  # formatted field values (`flows.format_values`)
    rows: list[dict[str, str]]  # rows of the type's table, formatted
    number: str
    issued_at: datetime  # aware; the letter's date is its calendar day in Palangka Raya
    holder_name: str
    nik: str

    @property
    def issued_on(self) -> date:
        return local_date(self.issued_at)

    @property
    def valid_until(self) -> date | None:
        days = self.letter_type.template.validity_days
        return self.issued_on + timedelta(days=days) if days else None

    def content(self) -> LetterContent:
        """What the letter prints (everything but the QR), for the issued letter and its draft alike."""
        return LetterContent(self.letter_type, self.letterhead, self.values, self.rows, self.issued_on,
                             self.valid_until, self.number)


@dataclass(frozen=True)
class MadeLetter:
    """The made letter: the PDF (signed by `LetterMaker.make`) and what its seal covers."""

    spec: LetterSpec
    pdf_bytes: bytes
    public_id: str
    seal: str
    key_id: str
    qr_url: str
    qr_version: int
    holder_name_masked: str
    nik_masked: str
    content_sha256: str  # hex, salted (see verification.seal.content_digest)
    content_salt: str  # hex
    signature_kind: str = "segel_esurat"  # see `letters.signing.PdfSigner.kind`
    signature_box: tuple[int, float, float, float, float] | None = None  # `letters.flowables.SignatureSpot`

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf_bytes).hexdigest()


class LetterMaker:
    def __init__(self, settings: Settings, keystore: KeyStore, pdf_signer: PdfSigner) -> None:
        check_qr_capacity(settings.http.public_url)
        self._settings = settings
        self._keystore = keystore
        self._signer = pdf_signer

    @property
    def settings(self) -> Settings:
        return self._settings

    def make(self, spec: LetterSpec, passphrase: str | None = None) -> MadeLetter:
        """The sealed letter with its QR code, PAdES-signed by the kelurahan (`passphrase`: see `PdfSigner`)."""
        unsigned = self.make_unsigned(spec)
        slug = spec.letterhead.kelurahan_slug
        signed = self._signer.sign(unsigned.pdf_bytes, slug, passphrase, unsigned.signature_box)
        return replace(unsigned, pdf_bytes=signed, signature_kind=self._signer.kind(slug))

    def make_unsigned(self, spec: LetterSpec) -> MadeLetter:
        """The sealed letter with its QR code, not yet PAdES-signed (for previews and benchmarks)."""
        key = self._keystore.active()
        salt = secrets.token_bytes(16)
        digest = content_digest(spec.letter_type.code, spec.values, spec.rows, salt)
        fields = SealedFields(
            number=spec.number, letter_type=spec.letter_type.code, kelurahan=spec.letterhead.kelurahan_slug,
            issued_on=spec.issued_on, valid_until=spec.valid_until, holder_name_masked=mask_name(spec.holder_name),
            nik_masked=mask_nik(spec.nik), content_sha256=digest,
        )
        seal = make_seal(key, fields)
        public_id = new_public_id()
        url = qr_url(self._settings.http.public_url, public_id, seal)
        matrix = encode_qr(url)
        spot = SignatureSpot()
        pdf = render_letter(spec.content(), self._settings.paper, QrMark(url, matrix), spot=spot)
        return MadeLetter(
            spec=spec, pdf_bytes=pdf, public_id=public_id, seal=seal, key_id=key.kid, qr_url=url,
            qr_version=matrix.version, holder_name_masked=fields.holder_name_masked,
            nik_masked=fields.nik_masked, content_sha256=digest.hex(), content_salt=salt.hex(),
            signature_box=spot.box,
        )


def render_draft(letter_type: LetterTypeDef, letterhead: Letterhead, values: dict[str, str],
                 rows: list[dict[str, str]], on: date, paper: str = "A4") -> bytes:
    """A preview for staff or the resident: no number, no QR, a DRAF watermark."""
    return render_letter(LetterContent(letter_type, letterhead, values, rows, on), paper, qr=None)
