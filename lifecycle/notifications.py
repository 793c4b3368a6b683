"""What each transition tells whom, written to the outbox in the transition's transaction.

Residents get a status message in their own channel. The kelurahan's moderation chats get a
card for a new submission and a card update (edited in place) for each later decision. The
payloads are channel-neutral; each channel's sender renders them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Kelurahan, Letter, LetterRequest, ModerationPost, Resident
from db.outbound import CardUpdateOut, DocumentOut, ModerationCardOut, Notice, NoticeEvent, TextOut
from db.outbox import enqueue
from lifecycle.errors import NotFound
from lifecycle.service import Clock
from lifecycle.transitions import Event

RevisionHook = Callable[[AsyncSession, LetterRequest, Resident], Awaitable[None]]
IssueHook = RevisionHook  # after the letter was sent: the satisfaction survey is offered (the conversation's)
# Where a kelurahan's moderation messages go: (channel, chat id) of every moderation chat of every
# channel the process runs (the composition root asks each channel).
ModerationTargets = Callable[[AsyncSession, Kelurahan], Awaitable[list[tuple[str, str]]]]


async def no_moderation_chats(session: AsyncSession, kel: Kelurahan) -> list[tuple[str, str]]:
    return []


def resident_text(event: Event, req: LetterRequest, title: str) -> str | None:
    ref = f"{title} nomor permohonan {req.code}"
    return {
        Event.SUBMIT: f"Permohonan {ref} telah diterima dan sedang diperiksa petugas kelurahan.",
        Event.FORWARD: f"Permohonan {ref} sudah diperiksa petugas dan diteruskan kepada Lurah untuk "
                       "disetujui dan ditandatangani.",
        Event.APPROVE: f"Permohonan {ref} DISETUJUI. Nomor surat: {req.number}. Surat sedang diterbitkan.",
        Event.REJECT: f"Mohon maaf, permohonan {ref} DITOLAK.\nAlasan: {req.reason}",
        Event.REQUEST_REVISION: f"Petugas meminta perbaikan untuk permohonan {ref}.\nCatatan: {req.note}",
        Event.CANCEL: f"Permohonan {ref} telah dibatalkan.",
        Event.REVOKE: f"Surat nomor {req.number} ({title}) telah DICABUT.\nAlasan: {req.reason}",
    }.get(event)


NOTICE_EVENTS: dict[Event, NoticeEvent] = {
    Event.SUBMIT: "submit", Event.APPROVE: "approve", Event.REJECT: "reject",
    Event.REQUEST_REVISION: "request_revision", Event.CANCEL: "cancel", Event.REVOKE: "revoke", Event.ISSUE: "issue",
}


def notice_of(event: Event, req: LetterRequest, title: str) -> Notice | None:
    """What a resident's message about `event` announces (a channel may send it as a template); None for an
    event with no template of its own (`forward`: the channel's general update template carries the text)."""
    kind = NOTICE_EVENTS.get(event)
    if kind is None:
        return None
    detail = {Event.REJECT: req.reason, Event.REVOKE: req.reason, Event.REQUEST_REVISION: req.note}.get(event)
    return Notice(event=kind, code=req.code, title=title, number=req.number or "", detail=detail or "")


class OutboxNotifier:
    def __init__(self, titles: Mapping[str, str], clock: Clock, on_revision: RevisionHook | None = None,
                 moderation_targets: ModerationTargets = no_moderation_chats,
                 on_issue: IssueHook | None = None) -> None:
        self.titles = titles
        self.on_issue = on_issue
        self.moderation_targets = moderation_targets
        self.clock = clock
        self.on_revision = on_revision

    async def __call__(self, session: AsyncSession, req: LetterRequest, event: Event) -> None:
        resident = await session.get(Resident, req.resident_id)
        kel = await session.get(Kelurahan, req.kelurahan_id)
        if resident is None or kel is None:
            raise NotFound(f"Warga atau kelurahan permohonan {req.code} tidak ditemukan")
        title = self.titles.get(req.letter_type, req.letter_type)
        now = self.clock()
        if event is Event.REQUEST_REVISION and self.on_revision is not None:
            await self.on_revision(session, req, resident)  # the conversation tells the resident
        elif event is Event.ISSUE:
            letter = await session.scalar(select(Letter).where(Letter.request_id == req.id))
            if letter is None:
                raise NotFound(f"Surat untuk permohonan {req.code} belum tersimpan")
            await enqueue(session, resident.channel, resident.external_id, DocumentOut(
                letter_id=letter.id, path=letter.pdf_path, filename=f"{req.letter_type}-{req.code}.pdf",
                caption=f"{title} Anda telah terbit. Nomor: {letter.number}. "
                        "Keaslian surat dapat diperiksa dengan memindai kode QR pada surat.",
                notice=notice_of(event, req, title),
            ), now)
            if self.on_issue is not None:
                await self.on_issue(session, req, resident)  # after the letter, in its transaction
        else:
            text = resident_text(event, req, title)
            if text:
                await enqueue(session, resident.channel, resident.external_id,
                        TextOut(text=text, notice=notice_of(event, req, title)), now)
        await self._moderation(session, req, kel, event)

    async def signing_failed(self, session: AsyncSession, req: LetterRequest, message: str) -> None:
        """`lifecycle.issuing`: the approved request's letter could not be signed yet; tell the officials."""
        kel = await session.get(Kelurahan, req.kelurahan_id)
        if kel is None:
            return
        text = (f"Surat permohonan {req.code} ({self.titles.get(req.letter_type, req.letter_type)}) belum dapat "
                f"ditandatangani: {message} Persetujuan tetap tercatat dan nomornya tidak berubah; "
                "penandatanganan dicoba lagi otomatis.")
        for channel, chat in await self.moderation_targets(session, kel):
            await enqueue(session, channel, chat, TextOut(text=text), self.clock())

    async def _moderation(self, session: AsyncSession, req: LetterRequest, kel: Kelurahan, event: Event) -> None:
        now = self.clock()
        posts = list(await session.scalars(select(ModerationPost).where(ModerationPost.request_id == req.id)))
        if event is Event.SUBMIT and not posts:
            for channel, chat in await self.moderation_targets(session, kel):
                post = ModerationPost(request_id=req.id, channel=channel, chat_id=chat, created_at=now)
                session.add(post)
                await session.flush()
                await enqueue(session, channel, chat, ModerationCardOut(request_id=req.id, post_id=post.id), now)
            return
        for post in posts:
            await enqueue(session, post.channel, post.chat_id,
                    CardUpdateOut(request_id=req.id, post_id=post.id, event=event.value), now)
