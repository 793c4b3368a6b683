"""The desk's page of one request (its card) and the decisions on it, each going through `moderation.act`
after `DeskAuth.staff_for`; a request of another kelurahan answers 404, as one that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from bot.desk.auth import DeskUser
from bot.desk.live import VERSI_PATH, request_versi
from bot.desk.pages import read_form
from bot.desk.sessions import same_token
from bot.untrusted import row_id
from db.models import AuditEvent, Kelurahan, LetterRequest, Staff
from letters.bsre import MESSAGES as SIGNING_MESSAGES
from lifecycle.errors import DomainError
from lifecycle.follow_ups import ISSUE_LETTER, attach_passphrase, key_of
from lifecycle.transitions import Status
from moderation.service import NEEDS_TEXT, AlreadyDecided

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

MAX_NOTE = 1000
NOT_FOUND = "Permohonan tidak ditemukan di kelurahan Anda."
PASSPHRASE_NEEDED = "Masukkan passphrase tanda tangan elektronik (BSrE) Anda untuk menyetujui dan menandatangani."
DECIDED = "Permohonan ini sudah diputuskan sebelumnya; keputusan Anda tidak disimpan."


def add_request_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services

    def missing(request: Request) -> Response:
        return pages.not_found(request, NOT_FOUND)

    async def show(request: Request, rid: int, user: DeskUser, status: int = 200, *, message: str | None = None,
                   ok: bool = False) -> Response:
        async with services.sessions() as s:
            versi = await request_versi(s, rid)  # read before the card: a change in between reloads the page
            slug, state = (await s.execute(select(Kelurahan.slug, LetterRequest.status).join(
                LetterRequest, LetterRequest.kelurahan_id == Kelurahan.id).where(LetterRequest.id == rid))).one()
        card = await services.moderation.card(rid)
        live = {"path": f"{VERSI_PATH}?permohonan={rid}", "reload": f"/desk/permohonan/{rid}", "versi": versi}
        asks = services.asks_passphrase(slug)
        response = pages.render(request, "permohonan.html", status, title=f"Permohonan {card.code}", card=card,
                                csrf=user.csrf, needs_text=NEEDS_TEXT, message=message, ok=ok, live=live,
                                asks_passphrase=asks, unsigned=asks and state == Status.APPROVED.value)
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get("/desk/permohonan/{request_id}")
    async def page(request: Request, request_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                   ) -> Response:
        rid = row_id(request_id)
        if rid is None:
            return missing(request)
        try:
            await desk.auth.staff_for(rid, user)
        except DomainError:
            return missing(request)
        return await show(request, rid, user)

    async def form_of(request: Request, request_id: str, user: DeskUser
                      ) -> tuple[dict[str, str], int, Staff] | Response:
        """The posted form of an action on a request of the user's kelurahan (CSRF checked), or the refusal."""
        posted = await read_form(request)
        if not same_token(posted.get("csrf"), user.csrf):
            return pages.forbidden(request)
        rid = row_id(request_id)
        if rid is None:
            return missing(request)
        try:
            return posted, rid, await desk.auth.staff_for(rid, user)
        except DomainError:
            return missing(request)

    @router.post("/desk/permohonan/{request_id}/keputusan")
    async def decide(request: Request, request_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                     ) -> Response:
        form = await form_of(request, request_id, user)
        if isinstance(form, Response):
            return form
        posted, rid, staff = form
        action, text = posted.get("action", ""), posted.get("text", "").strip()[:MAX_NOTE]
        card = await services.moderation.card(rid)
        if action not in dict(card.actions):
            problem = DECIDED if not card.actions else "Tindakan tidak dikenal."
            return await show(request, rid, user, 409, message=problem)
        if action in NEEDS_TEXT and not text:
            return await show(request, rid, user, 400, message=f"{NEEDS_TEXT[action]}.")
        passphrase = posted.get("passphrase", "")
        if action == "approve" and await asks(rid) and not passphrase:
            return await show(request, rid, user, 400, message=PASSPHRASE_NEEDED)
        try:
            async with services.sessions.begin() as s:
                await services.moderation.act(rid, staff, action, text or None, session=s)
                if action == "approve" and passphrase:
                    await attach_passphrase(s, rid, services.passphrases.seal(passphrase), services.clock())
        except AlreadyDecided:
            return await show(request, rid, user, 409, message=DECIDED)
        except DomainError as e:
            return await show(request, rid, user, 409, message=str(e))
        if action == "approve":
            await services.follow_ups.expedite(key_of(ISSUE_LETTER, rid))
            if why := await unsigned_because(rid):
                return await show(request, rid, user, message=f"Keputusan tersimpan, tetapi {why}")
        return await show(request, rid, user, message="Keputusan tersimpan.", ok=True)

    async def unsigned_because(rid: int) -> str | None:
        """Why an approved letter is still unsigned after its signing ran (BSrE refused or was away), or None."""
        async with services.sessions() as s:
            state = await s.scalar(select(LetterRequest.status).where(LetterRequest.id == rid))
            kind = await s.scalar(select(AuditEvent.detail).where(
                AuditEvent.request_id == rid, AuditEvent.action == "signing_failed").order_by(AuditEvent.id.desc()))
        if state != Status.APPROVED.value or kind is None:
            return None
        return f"surat belum dapat ditandatangani: {SIGNING_MESSAGES.get(kind, kind)} Coba tandatangani lagi di bawah."

    async def asks(rid: int) -> bool:
        async with services.sessions() as s:
            slug = await s.scalar(select(Kelurahan.slug).join(LetterRequest, LetterRequest.kelurahan_id == Kelurahan.id)
                                  .where(LetterRequest.id == rid))
        return slug is not None and services.asks_passphrase(slug)

    @router.post("/desk/permohonan/{request_id}/tandatangan")
    async def sign_again(request: Request, request_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                         ) -> Response:
        """An approved letter not yet signed (its passphrase refused, expired or never given): sign it now."""
        form = await form_of(request, request_id, user)
        if isinstance(form, Response):
            return form
        posted, rid, _ = form
        passphrase = posted.get("passphrase", "")
        if not passphrase or not await asks(rid):
            return await show(request, rid, user, 400, message=PASSPHRASE_NEEDED)
        async with services.sessions.begin() as s:
            waiting = await attach_passphrase(s, rid, services.passphrases.seal(passphrase), services.clock())
        if not waiting:
            return await show(request, rid, user, 409, message="Surat ini tidak menunggu tanda tangan.")
        await services.follow_ups.expedite(key_of(ISSUE_LETTER, rid))
        if why := await unsigned_because(rid):
            return await show(request, rid, user, 409, message=why[0].upper() + why[1:])
        return await show(request, rid, user, message="Surat telah ditandatangani dan diterbitkan.", ok=True)
