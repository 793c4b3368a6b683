"""Staff decisions, for every moderation channel (Telegram group, WhatsApp, web demo):
who may act, what the request card shows, and what each button does. No chat library."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.identities import staff_by_identity
from db.models import Attachment, AuditEvent, Kelurahan, LetterRequest, Resident, Staff
from flows import Catalogue, format_values
from lifecycle.actors import Actor
from lifecycle.errors import IllegalTransition, NotAuthorized, NotFound
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import Status

ACTIONS = {"approve": "Setujui", "reject": "Tolak", "revise": "Minta perbaikan"}
OUTCOMES = {
    Status.APPROVED: "DISETUJUI", Status.ISSUED: "DISETUJUI, surat terbit", Status.REJECTED: "DITOLAK",
    Status.NEEDS_REVISION: "MENUNGGU PERBAIKAN WARGA", Status.CANCELLED: "DIBATALKAN WARGA",
    Status.REVOKED: "SURAT DICABUT",
}
NEEDS_TEXT = {"reject": "Tulis alasan penolakan", "revise": "Tulis catatan perbaikan (sebutkan data yang salah)"}


class AlreadyDecided(IllegalTransition):
    """A button of a card whose request was decided meanwhile (another staff member, an old card)."""

    def __init__(self, event: str, status: Status) -> None:
        super().__init__(event, status.value)
        self.args = (f"Tindakan ini tidak dapat dilakukan: permohonan ini sudah diputuskan: "
                     f"{OUTCOMES.get(status, status.value)}.",)


@dataclass
class Card:
    request_id: int
    code: str
    title: str
    kelurahan: str
    channel: str  # where the resident asked, as staff know it ("WhatsApp")
    status: Status
    lines: list[tuple[str, str]]
    attachments: list[Attachment]
    actions: list[tuple[str, str]] = field(default_factory=list)
    outcome: str | None = None

    def text(self) -> str:
        head = [f"Permohonan {self.code}", f"{self.title} - Kelurahan {self.kelurahan}", f"Kanal: {self.channel}", ""]
        body = [f"{label}: {value}" for label, value in self.lines]
        tail = [f"Lampiran: {len(self.attachments)} berkas"]
        if self.outcome:
            tail += ["", f"Status: {self.outcome}"]
        return "\n".join(head + body + tail)


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
            atts = list(await s.scalars(select(Attachment).where(Attachment.request_id == req.id)))
            last = await s.scalar(select(AuditEvent).where(AuditEvent.request_id == req.id,
                                                           AuditEvent.action != "issue")
                                  .order_by(AuditEvent.id.desc()).limit(1))
            actor = await self._actor_name(s, last.actor) if last else ""
        ltype = self.catalogue[req.letter_type]
        shown = format_values(ltype, req.fields or {}, {"kelurahan": kel.name if kel else "",
                                                          "kecamatan": kel.kecamatan if kel else ""})
        lines = [(f.label, _short(shown.get(f.name, ""))) for f in ltype.fields
                 if f.name in (req.fields or {}) and shown.get(f.name)]
        for group in ltype.groups:
            items = (req.fields or {}).get(group.name) or []
            if items:
                lines.append((group.label, f"{len(items)} orang"))
        status = Status(req.status)
        card = Card(req.id, req.code, ltype.title, kel.name if kel else "",
                    self.channel_labels.get(channel, channel), status, lines, atts)
        if status is Status.SUBMITTED:
            card.actions = list(ACTIONS.items())
        else:
            who = f" oleh {actor}" if actor else ""
            detail = f" - {req.reason}" if status in (Status.REJECTED, Status.REVOKED) and req.reason else ""
            note = f" - {req.note}" if status is Status.NEEDS_REVISION and req.note else ""
            when = f" ({last.at:%d-%m-%Y %H:%M} UTC)" if last else ""
            card.outcome = f"{OUTCOMES.get(status, status.value)}{detail}{note}{who}{when}"
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
        runner of whichever process claims it). On a request decided before, `AlreadyDecided` says how."""
        try:
            return await self._act(request_id, staff, action, text, session)
        except IllegalTransition as e:
            if e.status in (Status.SUBMITTED, Status.DRAFT):
                raise
            raise AlreadyDecided(e.event, Status(e.status)) from e

    async def _act(self, request_id: int, staff: Staff, action: str, text: str | None,
                   session: AsyncSession | None) -> LetterRequest:
        actor = Actor.staff(staff.id, staff.kelurahan_id, staff.name)
        if action == "approve":
            return await self.lifecycle.approve(request_id, actor, session=session)
        if action == "reject":
            return await self.lifecycle.reject(request_id, actor, text or "", session=session)
        if action == "revise":
            if session is None:
                async with self.sessions() as read:
                    fields = await self.fields_mentioned(read, request_id, text or "")
            else:
                fields = await self.fields_mentioned(session, request_id, text or "")
            return await self.lifecycle.request_revision(request_id, actor, text or "", fields, session=session)
        raise ValueError(f"unknown action {action}")

    async def fields_mentioned(self, session: AsyncSession, request_id: int, note: str) -> list[str]:
        req = await session.get(LetterRequest, request_id)
        if req is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        low = f" {re.sub(r'[^a-z0-9]+', ' ', note.lower())} "
        return [f.name for f in self.catalogue[req.letter_type].fields
                if any(f" {re.sub(r'[^a-z0-9]+', ' ', w.lower()).strip()} " in low for w in (f.label, f.name))]


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
