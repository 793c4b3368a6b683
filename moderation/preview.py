"""The letter preview before approval, for every moderation channel: the draft PDF of a request
under review, exactly as it would be issued if approved now (same template, fields, signatory and
date), watermarked DRAF, with a QR that seals nothing and the number's sequence left open.

Only a staff member who may decide the request may see it (`ModerationService.staff_for`, the rule
of every decision). Making a preview reads the request and its kelurahan and writes nothing: no
letter row, no number taken from the sequence, no file, no audit event.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ApprovalSignature, Kelurahan, LetterRequest, Staff
from lifecycle.approval import SIGNERS, Signer, steps_for
from lifecycle.errors import IllegalTransition, NotFound
from lifecycle.numbering import format_number
from lifecycle.transitions import Status
from moderation.service import AlreadyDecided, ModerationService

PENDING_SEQUENCE = "\u2026"  # "…": the sequence, allocated only on approval
PREVIEW = "pratinjau"  # the event named when a preview is refused
_SEQUENCE = re.compile(r"\{seq(?:![rsa])?(?::[^{}]*)?\}")


class RequestDraftMaker(Protocol):
    """Makes the draft PDF of a request (`letters.maker.CatalogueLetterMaker`)."""

    def draft(self, request: LetterRequest, kelurahan: Kelurahan, at: datetime, number: str,
              signer: ApprovalSignature | None = None) -> bytes: ...


def pending_number(pattern: str, *, kode: str, unit: str, when: datetime) -> str:
    """The number a letter approved at `when` would have, its sequence shown as "…" (allocated only on
    approval): `400.12.2.2/…/BT/XI/2026` for the default pattern."""
    return format_number(_SEQUENCE.sub(PENDING_SEQUENCE, pattern), kode=kode, seq=0, unit=unit, when=when)


class LetterPreview:
    def __init__(self, moderation: ModerationService, drafts: RequestDraftMaker) -> None:
        self.moderation = moderation
        self.drafts = drafts

    async def draft_pdf(self, request_id: int, staff: Staff) -> bytes:
        """The draft PDF of a request awaiting a decision (submitted, first time or after a correction).

        NotAuthorized unless `staff` is an active staff member of the request's kelurahan; AlreadyDecided
        for a request decided meanwhile (its letter, if any, is the issued one); IllegalTransition for a
        request not submitted (a draft, or one waiting for the resident's correction)."""
        lifecycle = self.moderation.lifecycle
        async with self.moderation.sessions() as session:
            await self.moderation.staff_for(request_id, staff_id=staff.id, session=session)
            req = await session.get(LetterRequest, request_id)
            kel = await session.get(Kelurahan, req.kelurahan_id) if req is not None else None
            if req is None or kel is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            signer = await self._signer(session, req, staff)
        status = Status(req.status)
        if status not in (Status.SUBMITTED, Status.CHECKED):
            if status in (Status.DRAFT, Status.NEEDS_REVISION):
                raise IllegalTransition(PREVIEW, status.value)
            raise AlreadyDecided(PREVIEW, status)
        now = lifecycle.clock()
        number = pending_number(kel.numbering_pattern, kode=lifecycle.classification[req.letter_type],
                                unit=kel.unit_code, when=now)
        # Rendering takes milliseconds of CPU: off the event loop, as issuing does.
        return await asyncio.to_thread(self.drafts.draft, req, kel, now, number, signer)

    @staticmethod
    async def _signer(session: AsyncSession, req: LetterRequest, staff: Staff) -> ApprovalSignature | None:
        """With a two-step approval, the Lurah or Sekretaris looking at the draft is who would sign it."""
        if await steps_for(session, req.kelurahan_id, req.letter_type) < 2 or \
                staff.role not in SIGNERS:
            return None
        who = Signer.of(staff)
        return ApprovalSignature(request_id=req.id, staff_id=who.staff_id, name=who.name, title=who.title,
                                 delegated=who.delegated, rank=who.rank, nip=who.nip)
