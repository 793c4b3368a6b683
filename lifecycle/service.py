"""The request lifecycle service: every state change of a letter request, in one
transaction each, checked against `transitions.TRANSITIONS`, audited, with its
notifications written to the outbox and what must follow it (`follow_ups.FOLLOW_UPS`, e.g.
issuing the letter after an approval) written as durable follow-ups, in the same
transaction. No chat library here, and no code that runs a follow-up.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import ApprovalSignature, Attachment, AuditEvent, Kelurahan, LetterRequest, Resident
from lifecycle.actors import Actor
from lifecycle.approval import Signer
from lifecycle.errors import IllegalTransition, NotAuthorized, NotFound
from lifecycle.follow_ups import schedule_for
from lifecycle.numbering import format_number, next_sequence
from lifecycle.service_time import timing_values
from lifecycle.transitions import ActorKind, Event, Status, check

Clock = Callable[[], datetime]
UNSORTED = "upload"  # an upload's kind until a submission names its requirement (`conversation.intake`)
Attachments = Sequence[int] | Mapping[str, int]  # attachment ids, or by requirement kind ("ktp" -> id)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Notifier(Protocol):
    async def __call__(self, session: AsyncSession, request: LetterRequest, event: Event, /) -> None: ...


async def _no_notifications(session: AsyncSession, request: LetterRequest, event: Event) -> None:
    return None


class RequestLifecycle:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        classification: Mapping[str, str],
        clock: Clock = utcnow,
        notify: Notifier = _no_notifications,
        service_days: Mapping[str, int] | None = None,
    ) -> None:
        self.sessions = sessions
        self.classification = classification
        self.service_days = dict(service_days or {})  # letter type -> its service time (working days)
        self.clock = clock
        self._notify = notify

    # -- creation ---------------------------------------------------------------------
    async def submit_new(
        self, actor: Actor, *, kelurahan_slug: str, letter_type: str, fields: dict[str, Any],
        attachment_ids: Attachments = (), session: AsyncSession | None = None,
    ) -> LetterRequest:
        """Create a request from a finished conversation and submit it. `attachment_ids`: the uploads, by
        the letter type's requirement kind ("ktp" -> attachment id), which becomes each one's kind."""
        if actor.kind is not ActorKind.RESIDENT or actor.id is None:
            raise NotAuthorized("Hanya warga yang dapat mengajukan permohonan")
        if letter_type not in self.classification:
            raise NotFound(f"Jenis surat tidak dikenal: {letter_type}")
        now = self.clock()
        async with self._tx(session) as session:
            kel = await self._kelurahan_by_slug(session, kelurahan_slug)
            channel = await session.scalar(select(Resident.channel).where(Resident.id == actor.id))
            req = LetterRequest(
                code=f"tmp-{now.timestamp()}-{actor.id}", kelurahan_id=kel.id, resident_id=actor.id, channel=channel,
                letter_type=letter_type, fields=dict(fields), status=Status.DRAFT.value,
                created_at=now, updated_at=now, fields_to_fix=[],
            )
            session.add(req)
            await session.flush()
            req.code = f"{kel.unit_code}-{now.year}-{req.id:06d}"
            await self._audit(session, req, actor, "create", None, Status.DRAFT)
            await self._attach(session, req, attachment_ids)
            await self._apply(session, req, Event.SUBMIT, actor, submitted_at=now)
            return req

    async def resubmit(
        self, request_id: int, actor: Actor, *, fields: dict[str, Any], attachment_ids: Attachments = (),
        session: AsyncSession | None = None,
    ) -> LetterRequest:
        """Submit the corrected version; the version corrected is kept in `previous` (its fields and
        its attachments by kind), so that staff see what changed."""
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._own(req, actor)
            previous = {"fields": dict(req.fields or {}), "attachments": await current_attachments(session, req.id)}
            await self._attach(session, req, attachment_ids)
            return await self._apply(
                session, req, Event.SUBMIT, actor, fields=dict(fields), submitted_at=self.clock(),
                fields_to_fix=[], previous=previous,
            )

    # -- staff decisions ----------------------------------------------------------------
    async def request_revision(
        self, request_id: int, actor: Actor, note: str, fields_to_fix: Sequence[str] = (),
        session: AsyncSession | None = None,
    ) -> LetterRequest:
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._staff_of(req, actor)
            return await self._apply(
                session, req, Event.REQUEST_REVISION, actor, reason=note, note=note,
                fields_to_fix=list(fields_to_fix),
            )

    async def forward(self, request_id: int, actor: Actor, session: AsyncSession | None = None) -> LetterRequest:
        """Checked by the operator and forwarded to the Lurah (two-step approval, `lifecycle.approval`)."""
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._staff_of(req, actor)
            return await self._apply(session, req, Event.FORWARD, actor)

    async def approve(self, request_id: int, actor: Actor, session: AsyncSession | None = None,
                      signer: Signer | None = None) -> LetterRequest:
        """Approve and allocate the letter number in the same transaction, which also schedules the
        letter's issuing (a follow-up run by whichever process claims it). `signer`: the approver who signs
        the letter (two-step approval), recorded in the same transaction; None: the kelurahan's signatory."""
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._staff_of(req, actor)
            now = self.clock()
            req = await self._apply(
                session, req, Event.APPROVE, actor, approved_by=actor.id, decided_at=now, notify=False,
            )
            if signer is not None:
                session.add(ApprovalSignature(request_id=req.id, staff_id=signer.staff_id, name=signer.name,
                                              title=signer.title, delegated=signer.delegated, rank=signer.rank,
                                              nip=signer.nip, signed_at=now))
            kel = await session.get(Kelurahan, req.kelurahan_id)
            if kel is None:
                raise NotFound(f"Kelurahan permohonan {req.code} tidak ditemukan")
            seq = await next_sequence(session, kel.id, now)
            req.number = format_number(
                kel.numbering_pattern, kode=self.classification[req.letter_type], seq=seq,
                unit=kel.unit_code, when=now,
            )
            await session.flush()
            await self._notify(session, req, Event.APPROVE)
            return req

    async def reject(
        self, request_id: int, actor: Actor, reason: str, session: AsyncSession | None = None,
    ) -> LetterRequest:
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._staff_of(req, actor)
            return await self._apply(
                session, req, Event.REJECT, actor, reason=reason, decided_at=self.clock(),
            )

    async def cancel(
        self, request_id: int, actor: Actor, reason: str | None = None, session: AsyncSession | None = None,
    ) -> LetterRequest:
        async with self._tx(session) as session:
            req = await self._load(session, request_id)
            self._own(req, actor)
            return await self._apply(session, req, Event.CANCEL, actor, reason=reason)

    @contextlib.asynccontextmanager
    async def _tx(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """Join the caller's transaction, or run in a new one."""
        if session is not None:
            yield session
        else:
            async with self.sessions.begin() as new:
                yield new

    # -- helpers used by issuing --------------------------------------------------------
    async def apply_in(
        self, session: AsyncSession, req: LetterRequest, event: Event, actor: Actor, **kw: Any,
    ) -> LetterRequest:
        return await self._apply(session, req, event, actor, **kw)

    async def _apply(
        self, session: AsyncSession, req: LetterRequest, event: Event, actor: Actor, *,
        reason: str | None = None, notify: bool = True, **changes: Any,
    ) -> LetterRequest:
        source = Status(req.status)
        target = check(event, source, actor.kind, reason)
        now = self.clock()
        values: dict[str, Any] = {"status": target.value, "updated_at": now, **changes}
        values.update(timing_values(event.value, req.submitted_at, now, self.service_days.get(req.letter_type, 0)))
        if reason is not None and "note" not in changes:
            values["reason"] = reason.strip()
        # Conditional update: of concurrent transitions from the same status, exactly one wins.
        won = await session.scalar(
            update(LetterRequest)
            .where(LetterRequest.id == req.id, LetterRequest.status == source.value)
            .values(**values)
            .returning(LetterRequest.id)
            .execution_options(synchronize_session=False)
        )
        if won is None:
            current = await session.scalar(select(LetterRequest.status).where(LetterRequest.id == req.id))
            raise IllegalTransition(event.value, str(current))
        await session.refresh(req)
        await self._audit(session, req, actor, event.value, source, target, reason)
        await schedule_for(session, req, event, self.clock())
        if notify:
            await self._notify(session, req, event)
        return req

    async def _audit(
        self, session: AsyncSession, req: LetterRequest, actor: Actor, action: str,
        source: Status | None, target: Status | None, detail: str | None = None,
    ) -> None:
        session.add(AuditEvent(
            request_id=req.id, actor=actor.label, action=action,
            from_state=source.value if source else None, to_state=target.value if target else None,
            detail=detail, at=self.clock(),
        ))

    async def _attach(self, session: AsyncSession, req: LetterRequest, attachment_ids: Attachments) -> None:
        by_kind = attachment_ids.items() if isinstance(attachment_ids, Mapping) else ((None, i) for i in attachment_ids)
        for kind, attachment_id in by_kind:
            values: dict[str, Any] = {"request_id": req.id} | ({"kind": kind} if kind else {})
            await session.execute(
                update(Attachment).where(Attachment.id == attachment_id, Attachment.request_id.is_(None)
                                         | (Attachment.request_id == req.id))
                .values(**values).execution_options(synchronize_session=False)
            )

    @staticmethod
    async def _load(session: AsyncSession, request_id: int) -> LetterRequest:
        req = await session.get(LetterRequest, request_id)
        if req is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        return req

    @staticmethod
    async def _kelurahan_by_slug(session: AsyncSession, slug: str) -> Kelurahan:
        kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
        if kel is None:
            raise NotFound(f"Kelurahan tidak dikenal: {slug}")
        return kel

    @staticmethod
    def _own(req: LetterRequest, actor: Actor) -> None:
        if actor.kind is ActorKind.RESIDENT and actor.id != req.resident_id:
            raise NotAuthorized("Permohonan ini bukan milik Anda")

    @staticmethod
    def _staff_of(req: LetterRequest, actor: Actor) -> None:
        if actor.kind is ActorKind.STAFF and actor.kelurahan_id != req.kelurahan_id:
            raise NotAuthorized("Anda bukan petugas kelurahan ini")


async def current_attachments(session: AsyncSession, request_id: int) -> dict[str, int]:
    """The request's attachment of each requirement kind (the latest: a correction's new file replaces the
    old one). Files of no known kind (`UNSORTED`, attached by id only) are not among them."""
    rows = await session.execute(select(Attachment.kind, func.max(Attachment.id))
                                 .where(Attachment.request_id == request_id, Attachment.kind != UNSORTED)
                                 .group_by(Attachment.kind))
    return {kind: attachment_id for kind, attachment_id in rows.all()}
