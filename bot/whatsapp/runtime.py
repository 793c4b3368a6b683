"""WhatsApp (the Cloud API) as a channel: its webhook in (bot/whatsapp/webhook.py, into the inbox), the
inbox worker that feeds stored messages to the engine (bot/whatsapp/updates.py), and its outbox rows
rendered and sent by `WhatsAppDelivery` (bot/whatsapp/delivery.py) through the composition root's
sender for this channel, spaced by its rate policy.

Built by the composition root (`bot.composition._whatsapp`) when `WHATSAPP_TOKEN` and
`WHATSAPP_PHONE_NUMBER_ID` are set. Staff keep deciding in their kelurahan's moderation chat on
another channel (the Telegram group, the web pane): WhatsApp hosts no moderation chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import RatePolicy, Worker
from bot.inbox_worker import InboxWorker
from bot.whatsapp.client import WhatsAppClient
from bot.whatsapp.delivery import WhatsAppDelivery
from bot.whatsapp.updates import describe, handler
from bot.whatsapp.webhook import CHANNEL, webhook_router
from db.models import Kelurahan, OutboxMessage
from db.outbound import Outbound

if TYPE_CHECKING:
    from bot.composition import Services


class WhatsAppChannel:
    name = CHANNEL
    label = "WhatsApp"

    def __init__(self, services: Services, client: WhatsAppClient | None = None) -> None:
        settings = services.settings
        wa = settings.whatsapp
        self.settings = wa
        self.sessions, self.clock = services.sessions, services.clock
        self.rate: RatePolicy | None = RatePolicy(per_chat=wa.chat_interval, global_per_second=wa.global_per_second)
        self.client = client if client is not None else WhatsAppClient(wa)
        self.delivery = WhatsAppDelivery(self.client, services.sessions, wa, settings.storage.letters_dir,
                                         services.clock)
        # Chats are handled 8 at a time on either database: while one waits (a file download, its turn at
        # SQLite's one write lock, a PostgreSQL round trip) the others go on; one chat's updates stay in order.
        concurrency = 8
        self.inbox = InboxWorker(services.sessions, CHANNEL, handler(services.conversation, self.client,
                                                                     services.intake),
                                 clock=services.clock, owner=services.claims.owner, batch=10,
                                 concurrency=concurrency, describe=describe, on_handled=services.metrics.handled)

    def router(self) -> APIRouter:
        return webhook_router(self.settings, self.sessions, self.clock, self.inbox.wakeup.set)

    async def deliver(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        return await self.delivery(row, message)

    async def moderation_chats(self, session: AsyncSession, kel: Kelurahan) -> list[str]:
        return []  # staff decide in Telegram or the web pane

    async def start(self) -> list[Worker]:
        """Nothing to register: the webhook is subscribed in the Meta app's dashboard (with the verify token)."""
        return [self.inbox.run_forever]

    async def stop(self) -> None:
        await self.inbox.stop()

    async def close(self) -> None:
        await self.client.aclose()


def build_whatsapp(services: Services) -> WhatsAppChannel:
    return WhatsAppChannel(services)
