"""Wires the Telegram bot: dispatcher and routers, the inbox (webhook or polling in, a worker that
handles what was stored), and the outbox sender.

Built by the composition root (`bot.composition`) when `TELEGRAM_BOT_TOKEN` is set; the HTTP
app mounts its `router()` and runs the workers `start()` returns.

An update is acknowledged only once it is stored in the inbox (db/inbox.py): the webhook answers
200 after the commit (503 while the database is unreachable, so Telegram retries), and polling
moves its offset only past stored updates (bot/telegram/polling.py).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand
from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender, RateLimiter, Worker
from bot.inbox_worker import InboxWorker
from bot.telegram import moderation as moderation_router
from bot.telegram import resident as resident_router
from bot.telegram.client import make_bot
from bot.telegram.polling import TelegramPoller
from bot.telegram.sender import TelegramDelivery
from bot.telegram.uncertain import mark_interrupted
from bot.telegram.updates import CHANNEL, describe, feeder, received
from bot.untrusted import parse_json
from config.settings import Settings, TelegramSettings
from conversation.service import ConversationService
from db.claims import Claims
from db.engine import is_sqlite
from db.filestore import UploadStore
from db.health import OutageLog, is_unavailable, reason
from db.inbox import store
from lifecycle.service import Clock
from moderation.service import ModerationService

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


@dataclass
class TelegramRuntime:
    bot: Bot
    dispatcher: Dispatcher
    sender: OutboxSender
    settings: TelegramSettings
    webhook_url: str
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    inbox: InboxWorker
    poller: TelegramPoller

    async def start(self) -> list[Worker]:
        """Register the webhook (webhook mode); the workers to run: the outbox sender, the inbox worker,
        and the poller (polling mode)."""
        await mark_interrupted(self.sender.sessions, "telegram")  # sends a stopped process may have made
        if self.settings.mode == "webhook":
            await self.bot.set_webhook(self.webhook_url, secret_token=self._secret())
            await self.bot.set_my_commands(BOT_COMMANDS)
            return [self.sender.run_forever, self.inbox.run_forever]
        return [self.sender.run_forever, self.inbox.run_forever, self.poller.run_forever]

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

        @router.post(WEBHOOK_PATH)
        async def telegram_webhook(request: Request) -> Response:
            given = (request.headers.get(SECRET_HEADER) or "").encode()
            if not hmac.compare_digest(given, secret):
                return Response(status_code=403)
            body = await _body(request, WEBHOOK_MAX_BYTES)
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
                async with self.sessions.begin() as session:
                    await store(session, CHANNEL, [item], self.clock())
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


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is longer than `limit` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_telegram(settings: Settings, conversation: ConversationService, moderation: ModerationService,
                   uploads: UploadStore, claims: Claims | None = None) -> TelegramRuntime:
    tg = settings.telegram
    bot = make_bot(tg)
    dp = Dispatcher()
    dp.include_routers(resident_router.make_router(), moderation_router.make_router())
    dp["conversation"] = conversation
    dp["moderation"] = moderation
    dp["uploads"] = uploads
    storage = settings.storage
    sessions, clock = conversation.sessions, conversation.clock
    delivery = TelegramDelivery(bot, sessions, moderation, storage.letters_dir, storage.uploads_dir)
    sender = OutboxSender(sessions, "telegram", delivery, clock=clock,
                          poll_interval=settings.outbox_poll_interval, claims=claims,
                          send_timeout=settings.outbox_send_timeout,
                          limiter=RateLimiter(per_chat_interval=tg.chat_interval,
                                              global_per_second=tg.global_per_second,
                                              group_interval=tg.group_interval))
    # Chats are handled concurrently on PostgreSQL; on SQLite writers queue for one lock anyway.
    concurrency = 1 if is_sqlite(storage.effective_database_url) else 8
    inbox = InboxWorker(sessions, CHANNEL, feeder(dp, bot), clock=clock, owner=(claims or Claims()).owner,
                        batch=10, concurrency=concurrency, describe=describe)
    poller = TelegramPoller(bot, sessions, clock, timeout=tg.polling_timeout,
                            allowed_updates=dp.resolve_used_update_types(), commands=BOT_COMMANDS,
                            stored=inbox.wakeup.set)
    webhook_url = f"{settings.http.public_url.rstrip('/')}{WEBHOOK_PATH}"
    return TelegramRuntime(bot, dp, sender, tg, webhook_url, sessions, clock, inbox, poller)
