"""Issued letters as the operator sees them (`esurat letter list` / `show`): no personal data beyond
what the letter's public verification page shows (the holder's masked name and NIK)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AuditEvent, Kelurahan, Letter, LetterRequest, Staff


@dataclass(frozen=True)
class LetterRow:
    letter: Letter
    kelurahan: str  # its name
    kelurahan_slug: str


@dataclass(frozen=True)
class LetterDetail:
    row: LetterRow
    request_code: str
    events: list[AuditEvent] = field(default_factory=list)  # the request's audit trail, oldest first
    staff_names: dict[int, str] = field(default_factory=dict)  # of the staff in the trail


async def recent_letters(sessions: async_sessionmaker[AsyncSession], *, limit: int = 20, slug: str | None = None,
                         revoked: bool | None = None) -> list[LetterRow]:
    """The most recently issued letters first; only the kelurahan `slug`'s, only (not) revoked ones."""
    query = (select(Letter, Kelurahan.name, Kelurahan.slug).join(Kelurahan, Kelurahan.id == Letter.kelurahan_id)
             .order_by(Letter.issued_at.desc(), Letter.id.desc()).limit(limit))
    if slug is not None:
        query = query.where(Kelurahan.slug == slug)
    if revoked is not None:
        query = query.where((Letter.status == "revoked") if revoked else (Letter.status != "revoked"))
    async with sessions() as s:
        return [LetterRow(letter, name, kel_slug) for letter, name, kel_slug in await s.execute(query)]


async def letter_detail(sessions: async_sessionmaker[AsyncSession], number: str) -> LetterDetail | None:
    """The letter numbered `number` with its request's code and audit trail, or None."""
    async with sessions() as s:
        found = (await s.execute(
            select(Letter, Kelurahan.name, Kelurahan.slug, LetterRequest.code)
            .join(Kelurahan, Kelurahan.id == Letter.kelurahan_id)
            .join(LetterRequest, LetterRequest.id == Letter.request_id)
            .where(Letter.number == number.strip()))).first()
        if found is None:
            return None
        letter, name, kel_slug, code = found
        events = list(await s.scalars(select(AuditEvent).where(AuditEvent.request_id == letter.request_id)
                                      .order_by(AuditEvent.at, AuditEvent.id)))
        ids = {int(e.actor.partition(":")[2]) for e in events
               if e.actor.startswith("staff:") and e.actor.partition(":")[2].isdigit()}
        names = {staff_id: staff_name for staff_id, staff_name in
                 await s.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids)))}
    return LetterDetail(LetterRow(letter, name, kel_slug), code, events, names)
