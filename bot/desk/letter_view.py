"""What the desk's page of one issued letter shows: its number, dates, type, holder (name, masked NIK), the
request it answers and its status (DICABUT with the reason when revoked). Read only; who may see it is
decided by the routes (`DeskAuth.staff_for` on its request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Letter, LetterRequest
from flows.catalogue import Catalogue
from flows.dates import local_date
from moderation.letters import ShownStatus, shown_status
from verification.masking import mask_nik

STATUS_TEXT = {ShownStatus.VALID: "BERLAKU", ShownStatus.REVOKED: "DICABUT",
               ShownStatus.EXPIRED: "KEDALUWARSA"}


@dataclass(frozen=True)
class LetterPage:
    letter_id: int
    request_id: int
    request_code: str
    number: str
    public_id: str
    issued_on: date  # in Palangka Raya
    valid_until: date | None
    type_title: str
    holder_name: str
    nik_masked: str
    status: ShownStatus
    revoked_reason: str | None
    revoked_at: datetime | None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


async def letter_page(sessions: async_sessionmaker[AsyncSession], letter_id: int, catalogue: Catalogue,
                      now: datetime) -> LetterPage | None:
    """Letter `letter_id` as the desk shows it, or None when there is no such letter."""
    async with sessions() as s:
        letter = await s.get(Letter, letter_id)
        req = await s.get(LetterRequest, letter.request_id) if letter is not None else None
    if letter is None or req is None:
        return None
    kind = catalogue.get(letter.letter_type)
    nik = str(req.fields.get("nik") or "")
    return LetterPage(letter.id, req.id, req.code, letter.number, letter.public_id, local_date(letter.issued_at),
                      letter.valid_until, kind.title if kind else letter.letter_type,
                      str(req.fields.get("nama") or "") or letter.holder_name_masked,
                      mask_nik(nik) if nik else letter.nik_masked, shown_status(letter, local_date(now)),
                      letter.revoked_reason, letter.revoked_at)
