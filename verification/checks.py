"""The verdict on a letter: its record, and the seal presented from its QR code.

ASLI (valid), DICABUT (revoked), TIDAK VALID (a seal was presented whose signature fails or whose sealed
fields differ from the record), DIGANTI (re-issued: another letter replaces it), KEDALUWARSA (past its
validity end, on Palangka Raya's calendar), TIDAK DITEMUKAN (no such letter). When several hold, the first
of DICABUT, TIDAK VALID, DIGANTI, KEDALUWARSA is said (a revoked letter is void whatever else; a forged
seal matters more than a letter's age).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from cryptography.exceptions import InvalidSignature

from verification.keys import KeyStore
from verification.records import LetterRecord, LetterStatus
from verification.seal import SealedFields, SealFormatError, parse_seal, same_fields, verify_seal


class CodedVerdict(Enum):
    """A verdict with its code (JSON) and its label (what the page shows)."""

    @property
    def code(self) -> str:
        return str(self.value[0])

    @property
    def label(self) -> str:
        return str(self.value[1])


class Verdict(CodedVerdict):
    VALID = ("valid", "ASLI")
    REVOKED = ("revoked", "DICABUT")
    INVALID = ("invalid", "TIDAK VALID")
    SUPERSEDED = ("superseded", "DIGANTI")
    EXPIRED = ("expired", "KEDALUWARSA")
    NOT_FOUND = ("not_found", "TIDAK DITEMUKAN")


@dataclass(frozen=True)
class SealCheck:
    presented: bool
    valid: bool | None  # None when no seal was presented
    message: str
    key_id: str | None = None


def record_fields(record: LetterRecord) -> SealedFields:
    """The sealed fields as the record says they must be (the digest from the stored seal)."""
    return SealedFields(
        number=record.number, letter_type=record.letter_type, kelurahan=record.kelurahan_slug,
        issued_on=record.issued_on, valid_until=record.valid_until,
        holder_name_masked=record.holder_name_masked, nik_masked=record.nik_masked,
        content_sha256=parse_seal(record.seal).fields.content_sha256,
    )


def check_seal(record: LetterRecord, seal_text: str | None, keystore: KeyStore) -> SealCheck:
    if not seal_text:
        return SealCheck(False, None, "Segel QR tidak disertakan; pindai QR pada surat untuk memeriksanya.")
    try:
        parsed = verify_seal(seal_text, keystore.public_key)
    except SealFormatError:
        return SealCheck(True, False, "Segel QR rusak atau bukan segel e-surat.")
    except InvalidSignature:
        return SealCheck(True, False, "Tanda tangan segel QR tidak sah.")
    if not same_fields(parsed.fields, record_fields(record)):
        return SealCheck(True, False, "Data dalam segel QR tidak cocok dengan arsip kelurahan.", parsed.kid)
    return SealCheck(True, True, "Tanda tangan segel QR sah dan cocok dengan arsip kelurahan.", parsed.kid)


def verdict(record: LetterRecord | None, seal: SealCheck | None, today: date | None = None) -> Verdict:
    if record is None:
        return Verdict.NOT_FOUND
    if record.status == LetterStatus.REVOKED:
        return Verdict.REVOKED
    if seal is not None and seal.valid is False:
        return Verdict.INVALID
    if record.replaced_by_number:
        return Verdict.SUPERSEDED
    if today is not None and expired(record, today):
        return Verdict.EXPIRED
    return Verdict.VALID


def expired(record: LetterRecord, today: date) -> bool:
    return record.valid_until is not None and record.valid_until < today
