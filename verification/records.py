"""What the verification service reads about an issued letter, and where from.

`LetterRecord` holds only public data (already masked) plus the seal and the issued
PDF's SHA-256. `LetterRecordSource` is the boundary with storage: the database
implementation is `verification.db_source.DbRecordSource`; `MemoryRecordSource`
serves tests, benchmarks and demos. A source also finds a letter by its number (the lookup by
number and date) and the contact of the kelurahan a letter number names (`KelurahanContact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

PUBLIC_ID_RE = re.compile(r"[A-Z2-7]{26}")  # 130 bits of base32, see letters.making.new_public_id


class LetterStatus(StrEnum):
    """An issued letter's own status, stored as these strings in `db.models.Letter.status`."""

    VALID = "valid"
    REVOKED = "revoked"


@dataclass(frozen=True)
class LetterRecord:
    public_id: str
    number: str
    letter_type: str  # code, e.g. "sktm"
    letter_type_title: str  # "Surat Keterangan Tidak Mampu (SKTM)"
    kelurahan_slug: str
    kelurahan: str  # display name, "Bukit Tunggal"
    kecamatan: str
    issued_on: date
    valid_until: date | None
    holder_name_masked: str
    nik_masked: str
    signatory_name: str
    signatory_title: str
    seal: str
    pdf_sha256: str
    pdf_path: str
    status: LetterStatus = LetterStatus.VALID
    revoked_reason: str | None = None
    revoked_at: datetime | None = None
    # Whose letter it is (see `verification.subjects`): "Nama anak" and the child's masked name on a
    # birth letter; None when the letter is about its applicant (then `holder_name_masked` is it).
    subject_label: str = "Nama pemohon"
    subject_name_masked: str | None = None
    signature_kind: str = "segel_esurat"  # "segel_esurat" (e-surat's own CA) | "bsre" (certified)
    replaced_by_number: str | None = None  # re-issued: the number of the letter that replaces it
    replaced_at: datetime | None = None


@dataclass(frozen=True)
class KelurahanContact:
    """Where a resident or verifier asks about a kelurahan's letters (from the kelurahan table)."""

    unit_code: str
    kelurahan: str
    kecamatan: str
    address: str
    phone: str


def unit_codes_in(number: str) -> set[str]:
    """The parts of a letter number that may be a kelurahan's unit code ("400.12/001/BT/XI/2026" -> BT ...)."""
    return {part.strip().upper() for part in number.split("/") if part.strip()}


class LetterRecordSource(Protocol):
    async def get_by_public_id(self, public_id: str) -> LetterRecord | None: ...

    async def get_by_number(self, number: str) -> LetterRecord | None: ...

    async def contact_for_number(self, number: str) -> KelurahanContact | None:
        """The kelurahan whose unit code the number carries, when exactly one does."""
        ...


class MemoryRecordSource:
    def __init__(self, records: list[LetterRecord] | None = None,
                 contacts: list[KelurahanContact] | None = None) -> None:
        self._by_id = {r.public_id: r for r in records or []}
        self.contacts = list(contacts or [])

    def add(self, record: LetterRecord) -> None:
        self._by_id[record.public_id] = record

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        return self._by_id.get(public_id)

    async def get_by_number(self, number: str) -> LetterRecord | None:
        return next((r for r in self._by_id.values() if r.number == number), None)

    async def contact_for_number(self, number: str) -> KelurahanContact | None:
        codes = unit_codes_in(number)
        found = [c for c in self.contacts if c.unit_code.upper() in codes]
        return found[0] if len(found) == 1 else None
