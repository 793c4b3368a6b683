"""The desk's page of one request (its card) and the decisions on it, each going through `moderation.act`
after `DeskAuth.staff_for`; a request of another kelurahan answers 404, as one that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.desk.auth import DeskUser
from bot.desk.live import VERSI_PATH, request_versi
from bot.desk.pages import read_form
from bot.desk.sessions import same_token
from bot.untrusted import row_id
from lifecycle.errors import DomainError
from lifecycle.follow_ups import ISSUE_LETTER, key_of
from moderation.service import NEEDS_TEXT, AlreadyDecided

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

MAX_NOTE = 1000
NOT_FOUND = "Permohonan tidak ditemukan di kelurahan Anda."
DECIDED = "Permohonan ini sudah diputuskan sebelumnya; keputusan Anda tidak disimpan."


def add_request_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services

    def missing(request: Request) -> Response:
        return pages.not_found(request, NOT_FOUND)

    async def show(request: Request, rid: int, user: DeskUser, status: int = 200, *, message: str | None = None,
                   ok: bool = False) -> Response:
        async with services.sessions() as s:
            versi = await request_versi(s, rid)  # read before the card: a change in between reloads the page
        card = await services.moderation.card(rid)
        live = {"path": f"{VERSI_PATH}?permohonan={rid}", "reload": f"/desk/permohonan/{rid}", "versi": versi}
        response = pages.render(request, "permohonan.html", status, title=f"Permohonan {card.code}", card=card,
                                csrf=user.csrf, needs_text=NEEDS_TEXT, message=message, ok=ok, live=live)
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

    @router.post("/desk/permohonan/{request_id}/keputusan")
    async def decide(request: Request, request_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                     ) -> Response:
        posted = await read_form(request)
        if not same_token(posted.get("csrf"), user.csrf):
            return pages.forbidden(request)
        rid = row_id(request_id)
        if rid is None:
            return missing(request)
        try:
            staff = await desk.auth.staff_for(rid, user)
        except DomainError:
            return missing(request)
        action, text = posted.get("action", ""), posted.get("text", "").strip()[:MAX_NOTE]
        card = await services.moderation.card(rid)
        if action not in dict(card.actions):
            problem = DECIDED if not card.actions else "Tindakan tidak dikenal."
            return await show(request, rid, user, 409, message=problem)
        if action in NEEDS_TEXT and not text:
            return await show(request, rid, user, 400, message=f"{NEEDS_TEXT[action]}.")
        try:
            await services.moderation.act(rid, staff, action, text or None)
        except AlreadyDecided:
            return await show(request, rid, user, 409, message=DECIDED)
        except DomainError as e:
            return await show(request, rid, user, 409, message=str(e))
        if action == "approve":
            await services.follow_ups.expedite(key_of(ISSUE_LETTER, rid))
        return await show(request, rid, user, message="Keputusan tersimpan.", ok=True)
