"""Telegram as a channel (`bot.channels.Channel`): dispatcher and routers, the inbox (webhook or
polling in, a worker that handles what was stored), and the delivery of its outbox rows.

Built by the composition root (`bot.composition`) when `TELEGRAM_BOT_TOKEN` is set; the HTTP
app mounts its `router()` and runs the workers `start()` returns. Its outbox sender is built and
run by the composition root, with this channel's `rate` and `deliver`.

An update is acknowledged only once it is stored in the inbox (db/inbox.py): the webhook answers
200 after the commit (503 while the database is unreachable, so Telegram retries), and polling
moves its offset only past stored updates (bot/telegram/polling.py).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand
from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import RatePolicy, Worker
from bot.inbox_worker import InboxWorker
from bot.telegram import moderation as moderation_router
from bot.telegram import resident as resident_router
from bot.telegram.client import make_bot
from bot.telegram.polling import TelegramPoller
from bot.telegram.sender import TelegramDelivery
from bot.telegram.uncertain import mark_interrupted
from bot.telegram.updates import CHANNEL, describe, feeder, received
from bot.untrusted import parse_json, read_body
from config.settings import TelegramSettings
from db import identities
from db.health import OutageLog, is_unavailable, reason
from db.inbox_writer import InboxWriter
from db.models import Kelurahan, OutboxMessage
from db.outbound import Outbound
from lifecycle.service import Clock

if TYPE_CHECKING:
    from bot.composition import Services

log = logging.getLogger("esurat.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhooks/telegram"
WEBHOOK_MAX_BYTES = 1024 * 1024  # Telegram's updates are a few kilobytes
BOT_COMMANDS = [
    BotCommand(command="start", description="Mulai / ajukan surat"),
    BotCommand(command="status", description="Lihat status permohonan"),
    BotCommand(command="batal", description="Batalkan permohonan yang sedang diisi"),
    BotCommand(command="bantuan", description="Bantuan"),
]


def is_group(chat_id: str) -> bool:
    """Telegram's group and channel chat ids are negative (spaced by the group interval)."""
    return chat_id.startswith("-")


@dataclass
class TelegramRuntime:
    bot: Bot
    dispatcher: Dispatcher
    delivery: TelegramDelivery
    settings: TelegramSettings
    webhook_url: str
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    inbox: InboxWorker
    poller: TelegramPoller
    rate: RatePolicy | None
    name = CHANNEL
    label = "Telegram"

    async def deliver(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        return await self.delivery(row, message)

    async def moderation_chats(self, session: AsyncSession, kel: Kelurahan) -> list[str]:
        return await identities.moderation_chats(session, kel.id, CHANNEL)

    async def start(self) -> list[Worker]:
        """Register the webhook (webhook mode); the workers to run: the inbox worker, and the poller
        (polling mode). Rows a stopped process had claimed are marked uncertain first (before the
        app starts the outbox sender): their send may have happened."""
        await mark_interrupted(self.sessions, CHANNEL)
        if self.settings.mode == "webhook":
            await self.bot.set_webhook(self.webhook_url, secret_token=self._secret())
            await self.bot.set_my_commands(BOT_COMMANDS)
            return [self.inbox.run_forever]
        return [self.inbox.run_forever, self.poller.run_forever]

    async def stop(self) -> None:
        """Let the updates being handled finish (the app then cancels the workers); the bot's HTTP
        session stays open until `close()`."""
        await self.inbox.stop()

    async def close(self) -> None:
        await self.bot.session.close()

    def router(self) -> APIRouter:
        """The webhook endpoint (webhook mode only; in polling mode the router is empty)."""
        router = APIRouter()
        if self.settings.mode != "webhook":
            return router
        secret = self._secret().encode()
        outage = OutageLog("telegram webhook")
        writer = InboxWriter(self.sessions, self.clock)  # webhook calls at the same time share a commit

        @router.post(WEBHOOK_PATH)
        async def telegram_webhook(request: Request) -> Response:
            given = (request.headers.get(SECRET_HEADER) or "").encode()
            if not hmac.compare_digest(given, secret):
                return Response(status_code=403)
            body = await read_body(request, WEBHOOK_MAX_BYTES)
            if body is None:
                log.warning("telegram webhook: body over %d bytes refused", WEBHOOK_MAX_BYTES)
                return Response(status_code=413)
            try:
                item = received(parse_json(body))
            except ValueError:  # not JSON, nested beyond reason, or numbers beyond 64 bits (bot.untrusted)
                item = None
            if item is None:  # Telegram never sends this; answer so that it is not retried as a failure
                log.warning("telegram webhook: body is not a Telegram update (%d bytes); dropped", len(body))
                return Response(status_code=400)
            try:
                await writer.store(CHANNEL, [item])
            except Exception as e:  # noqa: BLE001 - answered, never a 500
                if is_unavailable(e):
                    outage.failed(e)
                    return Response(status_code=503)  # Telegram retries later
                log.error("telegram webhook: update %s could not be stored (%s); dropped", item.update_id, reason(e))
                return Response(status_code=400)
            outage.succeeded()
            self.inbox.wakeup.set()
            return Response(status_code=200)

        return router

    def _secret(self) -> str:
        if self.settings.webhook_secret is None:  # TelegramSettings refuses webhook mode without one
            raise ValueError("TELEGRAM_MODE=webhook memerlukan TELEGRAM_WEBHOOK_SECRET")
        return self.settings.webhook_secret.get_secret_value()


def build_telegram(services: Services) -> TelegramRuntime:
    settings, sessions, clock = services.settings, services.sessions, services.clock
    tg, storage = settings.telegram, settings.storage
    bot = make_bot(tg)
    dp = Dispatcher()
    dp.include_routers(resident_router.make_router(), moderation_router.make_router())
    dp["conversation"] = services.conversation
    dp["moderation"] = services.moderation
    dp["intake"] = services.intake
    delivery = TelegramDelivery(bot, sessions, services.moderation, storage.letters_dir, storage.uploads_dir)
    rate = RatePolicy(per_chat=tg.chat_interval, per_group=tg.group_interval, global_per_second=tg.global_per_second,
                      is_group=is_group)
    # Chats are handled 8 at a time on either database: while one waits (a file download, its turn at
    # SQLite's one write lock, a PostgreSQL round trip) the others go on; one chat's updates stay in order.
    concurrency = 8
    inbox = InboxWorker(sessions, CHANNEL, feeder(dp, bot), clock=clock, owner=services.claims.owner,
                        batch=20, concurrency=concurrency, describe=describe, on_handled=services.metrics.handled)
    poller = TelegramPoller(bot, sessions, clock, timeout=tg.polling_timeout,
                            allowed_updates=dp.resolve_used_update_types(), commands=BOT_COMMANDS,
                            stored=inbox.wakeup.set)
    webhook_url = f"{settings.http.public_url.rstrip('/')}{WEBHOOK_PATH}"
    return TelegramRuntime(bot, dp, delivery, tg, webhook_url, sessions, clock, inbox, poller, rate)
