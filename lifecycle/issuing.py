"""Issuing: store an approved request's made letter (PDF and `Letter` row) and move it to
`issued`; revoke letters. Making the letter itself is `letters.making`.

The PDF is made outside any transaction (it takes tens of milliseconds), written to the
letters store, and then the Letter row and the approved -> issued transition are committed
together. A crash in between leaves the request `approved`; `issue_pending()` (run at
start-up and periodically) issues it then, so no approved request is lost.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.private_files import write_private
from db.models import Kelurahan, Letter, LetterRequest
from letters.making import MadeLetter
from lifecycle.actors import Actor
from lifecycle.errors import NotFound
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import Event, Status, check
from verification.records import LetterStatus


class RequestLetterMaker(Protocol):
    """Makes the letter of an approved request (`letters.maker.CatalogueLetterMaker`)."""

    def make(self, request: LetterRequest, kelurahan: Kelurahan, issued_at: datetime) -> MadeLetter: ...


def write_atomically(path: Path, data: bytes) -> None:
    """Write the letter durably and atomically, 0600 in a 0700 directory whatever the umask."""
    write_private(path, data)


async def _request(session: AsyncSession, request_id: int) -> LetterRequest:
    req = await session.get(LetterRequest, request_id)
    if req is None:
        raise NotFound(f"Permohonan {request_id} tidak ditemukan")
    return req


class Issuing:
    def __init__(self, lifecycle: RequestLifecycle, maker: RequestLetterMaker, letters_dir: Path) -> None:
        self.lifecycle = lifecycle
        self.sessions = lifecycle.sessions
        self.maker = maker
        self.letters_dir = letters_dir

    async def issue(self, request_id: int, actor: Actor | None = None) -> Letter:
        actor = actor or Actor.system()
        async with self.sessions() as session:
            req = await _request(session, request_id)
            check(Event.ISSUE, req.status, actor.kind)
            kel = await session.get(Kelurahan, req.kelurahan_id)
            if kel is None:
                raise NotFound(f"Kelurahan {req.kelurahan_id} dari permohonan {request_id} tidak ditemukan")
        issued_at = self.lifecycle.clock()
        # Rendering and signing take milliseconds of CPU and pyHanko is synchronous: keep them
        # off the event loop.
        made = await asyncio.to_thread(self.maker.make, req, kel, issued_at)
        rel = Path(str(issued_at.year)) / f"{made.public_id}.pdf"
        write_atomically(self.letters_dir / rel, made.pdf_bytes)
        head = made.spec.letterhead
        async with self.sessions.begin() as session:
            req = await _request(session, request_id)
            letter = Letter(
                request_id=req.id, number=made.spec.number, public_id=made.public_id, letter_type=req.letter_type,
                kelurahan_id=req.kelurahan_id, issued_at=issued_at, valid_until=made.spec.valid_until,
                pdf_path=str(rel), pdf_sha256=made.pdf_sha256, seal=made.seal, key_id=made.key_id,
                holder_name_masked=made.holder_name_masked, nik_masked=made.nik_masked,
                signatory_name=head.signatory_name, signatory_title=head.signatory_title,
                status=LetterStatus.VALID.value,
            )
            session.add(letter)
            await session.flush()
            await self.lifecycle.apply_in(session, req, Event.ISSUE, actor)
            return letter

    async def issue_pending(self) -> int:
        """Issue every approved request that has no letter yet (after a crash or restart)."""
        async with self.sessions() as session:
            ids = list(await session.scalars(
                select(LetterRequest.id).where(LetterRequest.status == Status.APPROVED.value)
            ))
        for request_id in ids:
            await self.issue(request_id)
        return len(ids)

    async def revoke(self, number: str, actor: Actor, reason: str) -> Letter:
        async with self.sessions.begin() as session:
            letter = await session.scalar(select(Letter).where(Letter.number == number))
            if letter is None:
                raise NotFound(f"Surat nomor {number} tidak ditemukan")
            req = await _request(session, letter.request_id)
            await self.lifecycle.apply_in(session, req, Event.REVOKE, actor, reason=reason)
            letter.status = LetterStatus.REVOKED.value
            letter.revoked_reason = reason.strip()
            letter.revoked_at = self.lifecycle.clock()
            return letter

    def pdf_path(self, letter: Letter) -> Path:
        return self.letters_dir / letter.pdf_path
