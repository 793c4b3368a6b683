"""What the desk's home shows: the requests of the staff member's own kelurahan, by status (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LetterRequest
from lifecycle.transitions import Status

# The order and names staff see; drafts (not yet submitted) are not shown.
SHOWN = [(Status.SUBMITTED, "Menunggu keputusan"), (Status.NEEDS_REVISION, "Menunggu perbaikan warga"),
         (Status.APPROVED, "Disetujui, surat sedang dibuat"), (Status.ISSUED, "Surat terbit"),
         (Status.REJECTED, "Ditolak"), (Status.CANCELLED, "Dibatalkan"), (Status.REVOKED, "Surat dicabut")]
PER_STATUS = 50


@dataclass(frozen=True)
class Row:
    id: int
    code: str
    letter_type: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class Group:
    status: str
    label: str
    rows: list[Row]


async def requests_by_status(session: AsyncSession, kelurahan_id: int) -> list[Group]:
    """Kelurahan `kelurahan_id`'s requests by status, newest first (at most `PER_STATUS` of each)."""
    groups = []
    for status, label in SHOWN:
        found = await session.execute(
            select(LetterRequest.id, LetterRequest.code, LetterRequest.letter_type, LetterRequest.submitted_at)
            .where(LetterRequest.kelurahan_id == kelurahan_id, LetterRequest.status == status.value)
            .order_by(LetterRequest.id.desc()).limit(PER_STATUS))
        groups.append(Group(status.value, label, [Row(*r) for r in found]))
    return groups
