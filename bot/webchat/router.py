"""The local web chat (`/demo`): a channel adapter like the Telegram one, over the same
conversation engine and the same moderation service, for trying e-surat without any account.

Channel "web"; a browser session is an unguessable id in an HttpOnly cookie, and that id
is the resident's chat id. Whatever the engine and the lifecycle tell the resident is an
outbox row (channel "web", chat id = the session id): the browser polls
`/demo/api/chat/messages?after=<id>`, and each row shown is marked sent, so the outbox is
this channel's delivery log. The staff pane acts as the seeded demo staff member of the
chosen kelurahan; its cards are those posted to "moderation:<slug>" on channel "web". Its other view
("Meja petugas") frames the desk console itself, logged in as that same staff member (`/desk/demo/masuk`).

Only served when the service runs in demo mode (`esurat demo`): elsewhere every route is 404.
This module composes the resident routes (`resident_routes`) and the staff routes (`staff_routes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, HTTPException, Request

from bot.webchat.http import cross_site
from bot.webchat.resident_routes import STATIC_DIR, add_resident_routes
from bot.webchat.staff_routes import add_staff_routes

if TYPE_CHECKING:
    from bot.composition import Services

__all__ = ["STATIC_DIR", "create_webchat_router"]


def create_webchat_router(services: Services) -> APIRouter:
    def demo_only(request: Request) -> None:
        if not services.settings.demo:
            raise HTTPException(status_code=404)
        if request.method == "POST" and cross_site(request):
            raise HTTPException(status_code=403, detail="Permintaan dari situs lain ditolak.")

    router = APIRouter(prefix="/demo", dependencies=[Depends(demo_only)])
    add_resident_routes(router, services)
    add_staff_routes(router, services)
    return router
