"""Staff decisions, for every moderation channel (Telegram group, WhatsApp, web demo):
who may act, what the request card shows, and what each button does. No chat library."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.identities import staff_by_identity
from db.models import Attachment, AuditEvent, Kelurahan, LetterRequest, Resident, Staff
from flows import Catalogue, format_values
from lifecycle.actors import Actor
from lifecycle.approval import Signer, buttons, refusal, signs, steps_for
from lifecycle.errors import IllegalTransition, NotAuthorized, NotFound
from lifecycle.service import UNSORTED, RequestLifecycle, current_attachments
from lifecycle.transitions import Event, Status
from moderation.card import KEPT_FILE, NEW_FILE, Card, CardFile, changes_since, file_labels, group_tables, wib

__all__ = ["ACTIONS", "ALL_ACTIONS", "NEEDS_TEXT", "NEW_FILE", "OUTCOMES", "AlreadyDecided", "Card", "CardFile",
           "ModerationService"]

ACTIONS = {"approve": "Setujui", "reject": "Tolak", "revise": "Minta perbaikan"}  # one-step approval's buttons
ALL_ACTIONS = {**ACTIONS, "forward": "Teruskan ke Lurah"}  # every button a card may have (`lifecycle.approval`)
SIGN_LABEL = "Setujui & tandatangani"  # the approve button when the approver signs (two-step approval)
EVENTS = {"approve": Event.APPROVE, "forward": Event.FORWARD, "reject": Event.REJECT,
          "revise": Event.REQUEST_REVISION}
ACTION_OF = {event: action for action, event in EVENTS.items()}
OUTCOMES = {
    Status.CHECKED: "DIPERIKSA, menunggu persetujuan Lurah",
    Status.APPROVED: "DISETUJUI", Status.ISSUED: "DISETUJUI, surat terbit", Status.REJECTED: "DITOLAK",
    Status.NEEDS_REVISION: "MENUNGGU PERBAIKAN WARGA", Status.CANCELLED: "DIBATALKAN",
    Status.REVOKED: "SURAT DICABUT",
}
BY = {Status.ISSUED: "disetujui oleh", Status.NEEDS_REVISION: "diminta oleh",
      Status.CHECKED: "diteruskan oleh"}  # else "oleh"
NEEDS_TEXT = {"reject": "Tulis alasan penolakan", "revise": "Tulis catatan perbaikan (sebutkan data yang salah)"}


class AlreadyDecided(IllegalTransition):
    """A button of a card whose request was decided meanwhile (another staff member, an old card)."""

    def __init__(self, event: str, status: Status) -> None:
        super().__init__(event, status.value)
        if status is Status.CHECKED:
            self.args = ("Tindakan ini tidak dapat dilakukan: permohonan ini sudah diperiksa dan diteruskan ke Lurah.",)
            return
        self.args = (f"Tindakan ini tidak dapat dilakukan: permohonan ini sudah diputuskan: "
                     f"{OUTCOMES.get(status, status.value)}.",)


class ModerationService:
    """`channel_labels`: channel name -> how staff know it ("whatsapp" -> "WhatsApp"), read when a card is
    made (the composition root fills it once the channels are built); a name without a label is shown as is."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], lifecycle: RequestLifecycle,
                 catalogue: Catalogue, channel_labels: Mapping[str, str] = MappingProxyType({})) -> None:
        self.sessions = sessions
        self.lifecycle = lifecycle
        self.catalogue = catalogue
        self.channel_labels = channel_labels

    async def card(self, request_id: int) -> Card:
        async with self.sessions() as s:
            req = await s.get(LetterRequest, request_id)
            if req is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            kel = await s.get(Kelurahan, req.kelurahan_id)
            channel = await s.scalar(select(Resident.channel).where(Resident.id == req.resident_id)) or ""
            current = await current_attachments(s, req.id)
            atts = list(await s.scalars(select(Attachment).where(
                Attachment.request_id == req.id,
                Attachment.id.in_(list(current.values())) | (Attachment.kind == UNSORTED)).order_by(Attachment.id)))
            last = await s.scalar(select(AuditEvent).where(AuditEvent.request_id == req.id,  # not a resend either
                                                           AuditEvent.action.not_in(("issue", "resend")))
                                  .order_by(AuditEvent.id.desc()).limit(1))
            actor = await self._actor_name(s, last.actor) if last else ""
            steps = await steps_for(s, req.kelurahan_id, req.letter_type)
        ltype = self.catalogue[req.letter_type]
        fields = req.fields or {}
        shown = format_values(ltype, fields, {"kelurahan": kel.name if kel else "",
                                              "kecamatan": kel.kecamatan if kel else ""})
        lines = [(f.label, shown.get(f.name, "")) for f in ltype.fields if f.name in fields and shown.get(f.name)]
        previous = req.previous
        old_files = (previous or {}).get("attachments") or {}
        labels, order = file_labels(ltype), {str(a.kind): i for i, a in enumerate(ltype.attachments)}
        files = [CardFile(a.id, a.kind, labels.get(a.kind, "Lampiran"), a.path, a.media_type,
                          "" if previous is None else KEPT_FILE if old_files.get(a.kind) == a.id else NEW_FILE)
                 for a in sorted(atts, key=lambda a: (order.get(a.kind, len(order)), a.id))]
        status = Status(req.status)
        card = Card(req.id, req.code, ltype.title, kel.name if kel else "",
                    self.channel_labels.get(channel, channel), status, lines, files,
                    groups=group_tables(ltype, shown),
                    changes=changes_since(ltype, previous, fields, current) if previous is not None else [])
        if req.submitted_at is not None:
            card.submitted = (f"Diajukan ulang setelah perbaikan: {wib(req.submitted_at)}" if previous is not None
                              else f"Diajukan: {wib(req.submitted_at)}")
        card.actions = [(ACTION_OF[e], SIGN_LABEL if signs(steps, e) else ALL_ACTIONS[ACTION_OF[e]])
                        for e in buttons(steps, status)]
        if status is not Status.SUBMITTED:
            card.outcome = OUTCOMES.get(status, status.value)
            if last:
                card.outcome += f" ({BY.get(status, 'oleh')} {actor or 'sistem'}, {wib(last.at)})"
            if status in (Status.REJECTED, Status.REVOKED) and req.reason:
                card.outcome += f"\nAlasan: {req.reason}"
            if status is Status.NEEDS_REVISION and req.note:
                card.outcome += f"\nCatatan: {req.note}"
            if req.number:
                card.outcome += f"\nNomor surat: {req.number}"
        return card

    @staticmethod
    async def _actor_name(session: AsyncSession, label: str) -> str:
        kind, _, ident = label.partition(":")
        if kind == "staff" and ident.isdigit():
            staff = await session.get(Staff, int(ident))
            return staff.name if staff else label
        if kind == "operator" and ident:  # `esurat letter revoke --by NAME`
            return ident
        return {"resident": "warga", "system": "sistem"}.get(kind, label)

    async def staff_for(self, request_id: int, *, channel: str | None = None, external_id: str | int | None = None,
                        staff_id: int | None = None, session: AsyncSession | None = None) -> Staff:
        """The registered, active staff member of the request's kelurahan who is `external_id` on `channel`
        (or the staff member `staff_id`), or NotAuthorized."""
        if session is None:
            async with self.sessions() as s:
                return await self.staff_for(request_id, channel=channel, external_id=external_id,
                                            staff_id=staff_id, session=s)
        req = await session.get(LetterRequest, request_id)
        if req is None:
            raise NotAuthorized("Permohonan tidak ditemukan")
        staff: Staff | None = None
        if channel is not None and external_id is not None:
            staff = await staff_by_identity(session, req.kelurahan_id, channel, str(external_id))
        elif staff_id is not None:
            staff = await session.scalar(select(Staff).where(
                Staff.id == staff_id, Staff.kelurahan_id == req.kelurahan_id, Staff.active.is_(True)))
        if staff is None:
            raise NotAuthorized("Anda tidak terdaftar sebagai petugas kelurahan ini")
        return staff

    async def act(self, request_id: int, staff: Staff, action: str, text: str | None = None, *,
                  session: AsyncSession | None = None) -> LetterRequest:
        """Apply a staff decision, in the caller's transaction when `session` is given. An approval
        schedules the letter's issuing in the same transaction (a follow-up, run by the follow-up
        runner of whichever process claims it). On a request decided before, `AlreadyDecided` says how.

        Who may take which decision is the request's approval policy (`lifecycle.approval.PERMISSIONS`),
        checked here, in the decision's transaction: refused with `NotAuthorized` in plain Indonesian."""
        try:
            if session is None:
                async with self.sessions.begin() as s:
                    return await self._act(request_id, staff, action, text, s)
            return await self._act(request_id, staff, action, text, session)
        except IllegalTransition as e:
            if e.status in (Status.SUBMITTED, Status.DRAFT):
                raise
            raise AlreadyDecided(e.event, Status(e.status)) from e

    async def _act(self, request_id: int, staff: Staff, action: str, text: str | None,
                   session: AsyncSession) -> LetterRequest:
        event = EVENTS.get(action)
        if event is None:
            raise ValueError(f"unknown action {action}")
        req = await session.get(LetterRequest, request_id)
        if req is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        steps = await steps_for(session, req.kelurahan_id, req.letter_type)
        why = refusal(steps, event, Status(req.status), staff.role)
        if why is not None:
            raise NotAuthorized(why)
        actor = Actor.staff(staff.id, staff.kelurahan_id, staff.name)
        if event is Event.APPROVE:
            signer = Signer.of(staff) if signs(steps, event) else None
            return await self.lifecycle.approve(request_id, actor, session=session, signer=signer)
        if event is Event.FORWARD:
            return await self.lifecycle.forward(request_id, actor, session=session)
        if event is Event.REJECT:
            return await self.lifecycle.reject(request_id, actor, text or "", session=session)
        fields = await self.fields_mentioned(session, request_id, text or "")
        return await self.lifecycle.request_revision(request_id, actor, text or "", fields, session=session)

    async def fields_mentioned(self, session: AsyncSession, request_id: int, note: str) -> list[str]:
        req = await session.get(LetterRequest, request_id)
        if req is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        letter = self.catalogue[req.letter_type]
        named = [*((f.name, [f.label, *f.mentions]) for f in letter.fields),
                 *((g.name, [g.label]) for g in letter.groups), *((a.kind, [a.label]) for a in letter.attachments)]
        return mentioned(note, named)


def mentioned(note: str, named: list[tuple[str, list[str]]]) -> list[str]:
    """The names whose phrases (or the name itself) the note contains, in the order given. The longest phrase
    is matched first and used up, so that "nama gang" names the address (a phrase of it), not the name."""
    phrases = sorted(((_words(p), name) for name, ps in named for p in [*ps, name] if _words(p)),
                     key=lambda pn: -len(pn[0]))
    low, found = f" {_words(note)} ", set()
    for phrase, name in phrases:
        if f" {phrase} " in low:
            found.add(name)
            low = low.replace(f" {phrase} ", " | ")
    return [name for name, _ in named if name in found]


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
