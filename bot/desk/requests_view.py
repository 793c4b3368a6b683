"""What the desk's home shows: the requests of the staff member's own kelurahan (the city's admin: of every
kelurahan, to read only), by status (no personal data),
narrowed by the queue's filters in SQL, with the time each open request has left against its service time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.queue_filters import Filters
from db.models import Kelurahan, LetterRequest, Resident
from lifecycle.service_time import time_left
from lifecycle.transitions import Status

# The order and names staff see; drafts (not yet submitted) are not shown.
SHOWN = [(Status.SUBMITTED, "Menunggu keputusan"), (Status.CHECKED, "Diperiksa, menunggu persetujuan Lurah"),
         (Status.NEEDS_REVISION, "Menunggu perbaikan warga"),
         (Status.APPROVED, "Disetujui, surat sedang dibuat"), (Status.ISSUED, "Surat terbit"),
         (Status.REJECTED, "Ditolak"), (Status.CANCELLED, "Dibatalkan"), (Status.REVOKED, "Surat dicabut")]
STATUS_LABELS = {status.value: label for status, label in SHOWN}
OPEN = {Status.SUBMITTED.value, Status.CHECKED.value}  # awaiting the kelurahan: the service time runs
PER_STATUS = 50


@dataclass(frozen=True)
class Row:
    id: int
    code: str
    letter_type: str
    submitted_at: datetime | None
    channel: str
    kelurahan: str
    left: str | None  # "sisa 2 hari" / "lewat 1 hari" for an open request


@dataclass(frozen=True)
class Group:
    status: str
    label: str
    rows: list[Row]


async def requests_by_status(session: AsyncSession, kelurahan_id: int | None, filters: Filters = Filters(), *,
                             sla_days: Mapping[str, int] | None = None, now: datetime | None = None
                             ) -> list[Group]:
    """Kelurahan `kelurahan_id`'s requests (None: every kelurahan's) by status, newest first (at
    most `PER_STATUS` of each), only those `filters` keep; an open request's time left (`sla_days` per
    letter type) as of `now`."""
    query = (select(LetterRequest.id, LetterRequest.code, LetterRequest.letter_type, LetterRequest.submitted_at,
                    Resident.channel, Kelurahan.name)
             .join(Resident, Resident.id == LetterRequest.resident_id)
             .join(Kelurahan, Kelurahan.id == LetterRequest.kelurahan_id)
             .order_by(LetterRequest.id.desc()).limit(PER_STATUS))
    if kelurahan_id is not None:
        query = query.where(LetterRequest.kelurahan_id == kelurahan_id)
    if filters.letter_type:
        query = query.where(LetterRequest.letter_type == filters.letter_type)
    if filters.channel:
        query = query.where(Resident.channel == filters.channel)
    if (start := filters.submitted_from()) is not None:
        query = query.where(LetterRequest.submitted_at >= start)
    if (end := filters.submitted_before()) is not None:
        query = query.where(LetterRequest.submitted_at < end)
    groups = []
    for status, label in SHOWN:
        if filters.status and filters.status != status.value:
            continue
        rows = []
        for rid, code, letter_type, submitted_at, channel, kelurahan in await session.execute(
                query.where(LetterRequest.status == status.value)):
            left = None
            if status.value in OPEN and submitted_at is not None and now is not None and sla_days:
                left = time_left(submitted_at, sla_days.get(letter_type, 1), now)
            rows.append(Row(rid, code, letter_type, submitted_at, channel, kelurahan, left))
        groups.append(Group(status.value, label, rows))
    return groups
