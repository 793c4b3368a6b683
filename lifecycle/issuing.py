"""Issuing: store an approved request's made letter (PDF and `Letter` row) and move it to
`issued`; revoke letters. Making the letter itself is `letters.making`.

The PDF is made outside any transaction (it takes tens of milliseconds), written to the
letters store as `<year>/<request id>-<public id>.pdf`, and then the Letter row and the
approved -> issued transition are committed together. Issuing runs as the follow-up of an
approval (`issue_letter`, see `lifecycle.follow_ups`): a crash in between leaves the request
`approved` and the follow-up pending, and its next run first deletes the files an earlier
attempt of that request left without a row, so no letter file outlives a failed attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.private_files import write_private
from db.follow_ups import Job
from db.models import ApprovalSignature, AuditEvent, Kelurahan, Letter, LetterRequest
from letters.making import MadeLetter
from letters.signing import SigningError
from lifecycle.actors import Actor
from lifecycle.errors import DomainError, NotFound
from lifecycle.follow_up_runner import GiveUp
from lifecycle.follow_ups import PASSPHRASE, wipe_passphrase
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import Event, Status, check
from verification.records import LetterStatus

log = logging.getLogger("esurat.issuing")


class RequestLetterMaker(Protocol):
    """Makes the letter of an approved request (`letters.maker.CatalogueLetterMaker`); `signer`: who approved
    and signs it (two-step approval), else the kelurahan's configured signatory."""

    def make(self, request: LetterRequest, kelurahan: Kelurahan, issued_at: datetime,
             signer: ApprovalSignature | None = None, passphrase: str | None = None) -> MadeLetter: ...


def write_atomically(path: Path, data: bytes) -> None:
    """Write the letter durably and atomically, 0600 in a 0700 directory whatever the umask."""
    write_private(path, data)


async def _request(session: AsyncSession, request_id: int) -> LetterRequest:
    req = await session.get(LetterRequest, request_id)
    if req is None:
        raise NotFound(f"Permohonan {request_id} tidak ditemukan")
    return req


def letter_file(request_id: int, public_id: str, issued_at: datetime) -> Path:
    """Where a letter is stored, relative to the letters store: named by its request first, so the
    files of a request can be found without its row."""
    return Path(str(issued_at.year)) / f"{request_id}-{public_id}.pdf"


# Tells the kelurahan's officials why a letter could not be signed (written in the caller's transaction).
SigningFailed = Callable[[AsyncSession, LetterRequest, str], Awaitable[None]]


async def _nobody(session: AsyncSession, req: LetterRequest, message: str) -> None:
    return None


# Told of every letter issued: the seconds it took (made, signed, stored, recorded) and its signature kind.
Issued = Callable[[float, str], None]


def _unobserved(seconds: float, signature: str) -> None:
    return None


class Issuing:
    def __init__(self, lifecycle: RequestLifecycle, maker: RequestLetterMaker, letters_dir: Path,
                 on_signing_failure: SigningFailed = _nobody,
                 open_passphrase: Callable[[object], str | None] = lambda sealed: None,
                 on_issued: Issued = _unobserved,
                 on_letter_changed: Callable[[str], None] = lambda public_id: None) -> None:
        self.lifecycle = lifecycle
        self.sessions = lifecycle.sessions
        self.maker = maker
        self.letters_dir = letters_dir
        self.on_signing_failure = on_signing_failure
        self.open_passphrase = open_passphrase  # the official's sealed passphrase, opened (`letters.passphrases`)
        self.on_issued = on_issued  # (the issue-duration metric)
        self.on_letter_changed = on_letter_changed  # told a letter's public id once its revocation or replacement is
        # committed (the verification cache of this process drops it at once; other processes poll for it)

    async def issue_letter(self, job: Job) -> None:
        """The `issue_letter` follow-up: issue the request's letter unless it is issued already."""
        if job.request_id is None:
            raise GiveUp(f"follow-up {job.key} names no request")
        sealed = job.payload.get(PASSPHRASE)
        try:
            await self.ensure_issued(job.request_id, self.open_passphrase(sealed) if sealed else None)
        except NotFound as e:
            raise GiveUp(str(e)) from e
        if sealed:
            async with self.sessions.begin() as session:
                await wipe_passphrase(session, job.request_id)

    async def ensure_issued(self, request_id: int, passphrase: str | None = None) -> Letter:
        """The request's letter: issued now if the request is approved, the existing one if it was
        issued before (a repeated follow-up issues nothing twice)."""
        async with self.sessions() as session:
            req = await _request(session, request_id)
            letter = await session.scalar(select(Letter).where(Letter.request_id == request_id))
        if letter is not None:
            return letter
        if req.status != Status.APPROVED:
            raise GiveUp(f"permohonan {req.code} berstatus {req.status}, bukan disetujui")
        return await self.issue(request_id, passphrase=passphrase)

    async def issue(self, request_id: int, actor: Actor | None = None, passphrase: str | None = None) -> Letter:
        started = time.perf_counter()
        actor = actor or Actor.system()
        async with self.sessions() as session:
            req = await _request(session, request_id)
            check(Event.ISSUE, req.status, actor.kind)
            kel = await session.get(Kelurahan, req.kelurahan_id)
            if kel is None:
                raise NotFound(f"Kelurahan {req.kelurahan_id} dari permohonan {request_id} tidak ditemukan")
            signer = await session.get(ApprovalSignature, request_id)
        issued_at = self.lifecycle.clock()
        # Rendering and signing take milliseconds of CPU and pyHanko is synchronous: keep them
        # off the event loop.
        try:
            made = await asyncio.to_thread(self.maker.make, req, kel, issued_at, signer, passphrase)
        except SigningError as e:
            await self._signing_failed(request_id, e, tried=passphrase is not None)
            raise
        rel = letter_file(request_id, made.public_id, issued_at)
        await asyncio.to_thread(self._store, request_id, rel, made.pdf_bytes)
        try:
            letter = await self._record(request_id, made, rel, issued_at, actor)
        except Exception:
            await self._discard(rel)
            raise
        self.on_issued(time.perf_counter() - started, made.signature_kind)
        return letter

    async def _signing_failed(self, request_id: int, error: SigningError, *, tried: bool) -> None:
        """The request stays approved (its number kept) and the follow-up is retried; the officials are told
        once for each cause (an audit event `signing_failed` with the cause remembers it), and every time a
        passphrase they entered was refused. A refused passphrase is wiped at once: it is never tried again
        (the signing service would lock the certificate after a few wrong tries)."""
        log.warning("request %s: the letter could not be signed (%s); retrying", request_id, error.kind)
        async with self.sessions.begin() as session:
            if error.kind == "passphrase":
                await wipe_passphrase(session, request_id)
            told = await session.scalar(select(AuditEvent.id).where(
                AuditEvent.request_id == request_id, AuditEvent.action == "signing_failed",
                AuditEvent.detail == error.kind).limit(1))
            if told is not None and not (tried and error.kind == "passphrase"):
                return
            req = await _request(session, request_id)
            session.add(AuditEvent(request_id=request_id, actor="system", action="signing_failed",
                                   detail=error.kind, at=self.lifecycle.clock()))
            await self.on_signing_failure(session, req, error.message)

    async def _record(self, request_id: int, made: MadeLetter, rel: Path, issued_at: datetime,
                      actor: Actor) -> Letter:
        head = made.spec.letterhead
        async with self.sessions.begin() as session:
            req = await _request(session, request_id)
            letter = Letter(
                request_id=req.id, number=made.spec.number, public_id=made.public_id, letter_type=req.letter_type,
                kelurahan_id=req.kelurahan_id, issued_at=issued_at, valid_until=made.spec.valid_until,
                pdf_path=str(rel), pdf_sha256=made.pdf_sha256, seal=made.seal, key_id=made.key_id,
                holder_name_masked=made.holder_name_masked, nik_masked=made.nik_masked,
                signatory_name=head.signatory_name, signatory_title=head.signatory_title,
                status=LetterStatus.VALID.value, signature_kind=made.signature_kind,
            )
            session.add(letter)
            await session.flush()
            await self.lifecycle.apply_in(session, req, Event.ISSUE, actor)
            return letter

    def _store(self, request_id: int, rel: Path, data: bytes) -> None:
        """Delete what earlier attempts for this request left (a file written, its row never committed:
        the request is still approved, so none of its files has a row), then write this attempt's file."""
        year = int(rel.parts[0])
        for folder in (self.letters_dir / str(year), self.letters_dir / str(year - 1)):
            if folder.is_dir():
                for stale in folder.glob(f"{request_id}-*"):
                    log.info("removing %s, left by an earlier attempt to issue request %s", stale.name, request_id)
                    stale.unlink(missing_ok=True)
        write_atomically(self.letters_dir / rel, data)

    async def _discard(self, rel: Path) -> None:
        """This attempt failed: delete its file, unless its row was committed after all (a commit whose
        answer was lost) or that cannot be known now (the next attempt deletes it then)."""
        try:
            async with self.sessions() as session:
                recorded = await session.scalar(select(Letter.id).where(Letter.pdf_path == str(rel)))
        except Exception:  # noqa: BLE001 - keep the file; the next attempt decides
            return
        if recorded is None:
            (self.letters_dir / rel).unlink(missing_ok=True)

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
        self.on_letter_changed(letter.public_id)
        return letter

    async def supersede(self, old_number: str, new_number: str, actor: Actor) -> Letter:
        """A letter re-issued: `new_number` (issued later, same kelurahan and type) replaces `old_number`, whose
        verification then says DIGANTI and names the replacement. Audited on the old letter's request."""
        async with self.sessions.begin() as session:
            old = await session.scalar(select(Letter).where(Letter.number == old_number))
            new = await session.scalar(select(Letter).where(Letter.number == new_number))
            if old is None or new is None:
                raise NotFound(f"Surat nomor {old_number if old is None else new_number} tidak ditemukan")
            if old.id == new.id or old.kelurahan_id != new.kelurahan_id or old.letter_type != new.letter_type:
                raise DomainError("Surat pengganti harus surat lain dari kelurahan dan jenis yang sama")
            if new.issued_at < old.issued_at or new.superseded_by_id is not None:
                raise DomainError("Surat pengganti harus terbit kemudian dan masih berlaku")
            if old.status == LetterStatus.REVOKED.value or old.superseded_by_id is not None:
                raise DomainError(f"Surat nomor {old_number} sudah dicabut atau sudah diganti")
            old.superseded_by_id, old.superseded_at = new.id, self.lifecycle.clock()
            session.add(AuditEvent(request_id=old.request_id, actor=actor.label, action="supersede",
                                   detail=f"diganti dengan surat nomor {new_number}", at=self.lifecycle.clock()))
        self.on_letter_changed(old.public_id)
        return old

    def pdf_path(self, letter: Letter) -> Path:
        return self.letters_dir / letter.pdf_path
