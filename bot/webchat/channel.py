"""The web chat as a channel (only under `esurat demo`): its routes under /demo, the staff pane as the
moderation chat "moderation:<slug>" of every kelurahan. It sends nothing itself: the browser polls the
outbox rows of its session (`outbox_feed`), so it has no rate and no sender."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import WithoutWorkers
from bot.delivery import PermanentFailure, RatePolicy
from bot.webchat.http import CHANNEL, MODERATION_CHAT
from bot.webchat.router import STATIC_DIR, create_webchat_router
from db.models import Kelurahan, OutboxMessage
from db.outbound import Outbound

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import Scope

    from bot.composition import Services


class DemoStatic(StaticFiles):
    """The web chat's script and sample files, served only while the service runs in demo mode (as its routes)."""

    def __init__(self, services: Services) -> None:
        super().__init__(directory=STATIC_DIR)
        self.services = services

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.services.settings.demo:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


class WebChatChannel(WithoutWorkers):
    name = CHANNEL
    label = "Web"
    rate: RatePolicy | None = None

    def __init__(self, services: Services) -> None:
        self.services = services

    def router(self) -> APIRouter:
        router = create_webchat_router(self.services)
        router.mount("/demo/static", DemoStatic(self.services), name="demo-static")
        return router

    async def deliver(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        raise PermanentFailure("the web chat's rows are taken by the browser")

    async def moderation_chats(self, session: AsyncSession, kel: Kelurahan) -> list[str]:
        return [MODERATION_CHAT.format(slug=kel.slug)]

