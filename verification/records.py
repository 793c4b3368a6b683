"""What the verification service reads about an issued letter, and where from.

`LetterRecord` holds only public data (already masked) plus the seal and the issued
PDF's SHA-256. `LetterRecordSource` is the boundary with storage: the database
implementation is `verification.db_source.DbRecordSource`; `MemoryRecordSource`
serves tests, benchmarks and demos.
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


class LetterRecordSource(Protocol):
    async def get_by_public_id(self, public_id: str) -> LetterRecord | None: ...


class MemoryRecordSource:
    def __init__(self, records: list[LetterRecord] | None = None) -> None:
        self._by_id = {r.public_id: r for r in records or []}

    def add(self, record: LetterRecord) -> None:
        self._by_id[record.public_id] = record

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        return self._by_id.get(public_id)
