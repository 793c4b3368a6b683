"""Issued letters for the staff of their kelurahan (the staff desk): find a letter, read its PDF, revoke it,
send it again to its resident. Only active staff of the letter's own kelurahan (the one rule of
`ModerationService.staff_for`); any other letter id is refused as if it did not exist. No channel named here:
a resent letter goes to the outbox, for the resident's own channel."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.letter_listing import search_letters
from db.models import AuditEvent, Letter, LetterRequest, Resident, Staff
from db.outbound import DocumentOut
from db.outbox import enqueue
from flows.dates import local_date
from lifecycle.actors import Actor
from lifecycle.errors import DomainError, IllegalTransition, NotAuthorized, ReasonRequired
from lifecycle.issuing import Issuing
from lifecycle.notifications import notice_of
from lifecycle.service import Clock, utcnow
from lifecycle.transitions import Event
from moderation.service import ModerationService
from verification.masking import mask_nik
from verification.records import LetterStatus

RESEND = "resend"  # the audit action of a letter sent again
RESEND_INTERVAL = timedelta(seconds=60)
MAX_RESULTS = 100
NIK_RE = re.compile(r"\d{16}")
NOT_YOURS = "Surat tidak ditemukan di kelurahan Anda"


class ShownStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"  # valid, but past its `valid_until`


@dataclass(frozen=True)
class LetterHit:
    letter_id: int
    number: str
    issued_on: date  # in Palangka Raya
    type_title: str
    holder_name: str
    nik_masked: str
    status: ShownStatus


class ResendRefused(DomainError):
    """A revoked letter, or one sent again less than `RESEND_INTERVAL` ago."""


class AlreadyRevoked(IllegalTransition):
    def __init__(self, letter: Letter) -> None:
        super().__init__(Event.REVOKE.value, LetterStatus.REVOKED.value)
        self.args = (f"Surat {letter.number} sudah dicabut: {letter.revoked_reason}",)


class LetterDesk:
    def __init__(self, moderation: ModerationService, issuing: Issuing, clock: Clock = utcnow,
                 resend_interval: timedelta = RESEND_INTERVAL) -> None:
        self.moderation = moderation
        self.sessions = moderation.sessions
        self.issuing = issuing
        self.clock = clock
        self.resend_interval = resend_interval
        self.titles = {t.code: t.title for t in moderation.catalogue.types}

    async def search(self, staff: Staff, query: str, limit: int = 20) -> list[LetterHit]:
        """The own kelurahan's letters (valid, expired and revoked), newest first: by letter number (exact or
        its beginning), by holder's NIK (16 digits, exact), else by a part of the holder's name (any case);
        the newest letters for an empty query."""
        async with self.sessions() as s:
            member = await s.scalar(select(Staff).where(Staff.id == staff.id, Staff.active.is_(True)))
        if member is None:
            raise NotAuthorized("Anda tidak terdaftar sebagai petugas aktif")
        text, limit = " ".join(query.split()), max(1, min(limit, MAX_RESULTS))
        digits = text.replace(" ", "")
        if NIK_RE.fullmatch(digits):
            found = await search_letters(self.sessions, member.kelurahan_id, nik=digits, limit=limit)
        elif any(ch.isdigit() for ch in text):
            found = await search_letters(self.sessions, member.kelurahan_id, number=digits.upper(), limit=limit)
        else:
            found = await search_letters(self.sessions, member.kelurahan_id, name=text or None, limit=limit)
        today = local_date(self.clock())
        return [LetterHit(f.row.letter.id, f.row.letter.number, local_date(f.row.letter.issued_at),
                          self.titles.get(f.row.letter.letter_type, f.row.letter.letter_type),
                          f.holder_name or f.row.letter.holder_name_masked,
                          mask_nik(f.nik) if f.nik else f.row.letter.nik_masked, shown_status(f.row.letter, today))
                for f in found]

    async def letter_pdf(self, staff: Staff, letter_id: int) -> bytes:
        """The issued PDF, as stored (checked against its SHA-256)."""
        async with self.sessions() as s:
            letter, _ = await self._own(s, staff, letter_id)
        data = await asyncio.to_thread(self.issuing.pdf_path(letter).read_bytes)
        if hashlib.sha256(data).hexdigest() != letter.pdf_sha256:
            raise DomainError(f"Berkas surat {letter.number} tidak sama dengan yang diterbitkan; hubungi admin")
        return data

    async def revoke(self, staff: Staff, letter_id: int, reason: str) -> Letter:
        """Revoke through the lifecycle (audited as this staff member, the resident told); reason required."""
        if not reason.strip():
            raise ReasonRequired(Event.REVOKE.value)
        async with self.sessions() as s:
            letter, member = await self._own(s, staff, letter_id)
        if letter.status == LetterStatus.REVOKED:
            raise AlreadyRevoked(letter)
        actor = Actor.staff(member.id, member.kelurahan_id, member.name)
        return await self.issuing.revoke(letter.number, actor, reason)

    async def resend(self, staff: Staff, letter_id: int) -> None:
        """Send the letter's PDF again to its resident, in the resident's own channel: one outbox message
        and its audit event in one transaction. Refused for a revoked letter and within `resend_interval`
        of the last resend (the letter's row is locked meanwhile, so two at once give one message)."""
        now = self.clock()
        async with self.sessions.begin() as s:
            letter, member = await self._own(s, staff, letter_id, lock=True)
            if letter.status == LetterStatus.REVOKED:
                raise ResendRefused(f"Surat {letter.number} sudah dicabut dan tidak dapat dikirim ulang")
            last = await s.scalar(select(AuditEvent.at).where(
                AuditEvent.request_id == letter.request_id, AuditEvent.action == RESEND)
                .order_by(AuditEvent.at.desc()).limit(1))
            if last is not None and now - last < self.resend_interval:
                wait = int((self.resend_interval - (now - last)).total_seconds()) + 1
                raise ResendRefused(f"Surat {letter.number} baru saja dikirim ulang; coba lagi dalam {wait} detik")
            req = await s.get(LetterRequest, letter.request_id)
            resident = await s.get(Resident, req.resident_id) if req is not None else None
            if req is None or resident is None:
                raise ResendRefused(f"Warga pemegang surat {letter.number} tidak ditemukan")
            title = self.titles.get(req.letter_type, req.letter_type)
            await enqueue(s, resident.channel, resident.external_id, DocumentOut(
                letter_id=letter.id, path=letter.pdf_path, filename=f"{req.letter_type}-{req.code}.pdf",
                caption=f"{title} Anda (dikirim ulang oleh petugas kelurahan). Nomor: {letter.number}. "
                        "Keaslian surat dapat diperiksa dengan memindai kode QR pada surat.",
                notice=notice_of(Event.ISSUE, req, title)), now)
            s.add(AuditEvent(request_id=req.id, actor=Actor.staff(member.id, member.kelurahan_id).label,
                             action=RESEND, detail=f"{resident.channel}", at=now))

    async def _own(self, session: AsyncSession, staff: Staff, letter_id: int, *,
                   lock: bool = False) -> tuple[Letter, Staff]:
        """The letter and the staff member, if active and of the letter's kelurahan; else NotAuthorized,
        for another kelurahan's letter and for no letter alike."""
        query = select(Letter).where(Letter.id == letter_id)
        letter = await session.scalar(query.with_for_update() if lock else query)
        if letter is None:
            raise NotAuthorized(NOT_YOURS)
        try:
            member = await self.moderation.staff_for(letter.request_id, staff_id=staff.id, session=session)
        except NotAuthorized as e:
            raise NotAuthorized(NOT_YOURS) from e
        return letter, member


def shown_status(letter: Letter, today: date) -> ShownStatus:
    if letter.status == LetterStatus.REVOKED:
        return ShownStatus.REVOKED
    if letter.valid_until is not None and letter.valid_until < today:
        return ShownStatus.EXPIRED
    return ShownStatus.VALID
