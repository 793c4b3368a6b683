"""Wires the Telegram bot: dispatcher and routers, polling or webhook, and the outbox sender.

Built by the composition root (`bot.composition`) when `TELEGRAM_BOT_TOKEN` is set; the HTTP
app mounts its `router()` and runs the workers `start()` returns.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand
from fastapi import APIRouter, Request, Response

from bot.delivery import OutboxSender, RateLimiter, Worker
from bot.telegram import moderation as moderation_router
from bot.telegram import resident as resident_router
from bot.telegram.client import make_bot
from bot.telegram.sender import TelegramDelivery
from bot.telegram.uncertain import mark_interrupted
from config.settings import Settings, TelegramSettings
from conversation.service import ConversationService
from db.filestore import UploadStore
from moderation.service import ModerationService

log = logging.getLogger("esurat.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhooks/telegram"
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

    async def start(self) -> list[Worker]:
        """Register the webhook (webhook mode); the workers to run: the outbox sender, and the poller."""
        await mark_interrupted(self.sender.sessions, "telegram")  # sends a stopped process may have made
        if self.settings.mode == "webhook":
            await self.bot.set_webhook(self.webhook_url, secret_token=self._secret())
            await self.bot.set_my_commands(BOT_COMMANDS)
            return [self.sender.run_forever]
        return [self.sender.run_forever, self._poll]

    async def _poll(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.bot.set_my_commands(BOT_COMMANDS)
        # handle_as_tasks=False: an update is handled (and committed) before the next getUpdates
        # confirms it, so a crash never loses one; redelivery is deduplicated by update_id.
        await self.dispatcher.start_polling(self.bot, handle_as_tasks=False, handle_signals=False,
                                            close_bot_session=False, polling_timeout=self.settings.polling_timeout)

    async def stop(self) -> None:
        """Stop polling (if it runs); the bot's HTTP session stays open until `close()`."""
        if self.dispatcher._running_lock.locked():  # noqa: SLF001 - aiogram has no public flag
            await self.dispatcher.stop_polling()

    async def close(self) -> None:
        await self.bot.session.close()

    def router(self) -> APIRouter:
        """The webhook endpoint (webhook mode only; in polling mode the router is empty)."""
        router = APIRouter()
        if self.settings.mode != "webhook":
            return router
        secret = self._secret().encode()

        @router.post(WEBHOOK_PATH)
        async def telegram_webhook(request: Request) -> Response:
            given = (request.headers.get(SECRET_HEADER) or "").encode()
            if not hmac.compare_digest(given, secret):
                return Response(status_code=403)
            update = await request.json()
            await self.dispatcher.feed_raw_update(self.bot, update)
            return Response(status_code=200)

        return router

    def _secret(self) -> str:
        if self.settings.webhook_secret is None:  # TelegramSettings refuses webhook mode without one
            raise ValueError("TELEGRAM_MODE=webhook memerlukan TELEGRAM_WEBHOOK_SECRET")
        return self.settings.webhook_secret.get_secret_value()


def build_telegram(settings: Settings, conversation: ConversationService, moderation: ModerationService,
                   uploads: UploadStore) -> TelegramRuntime:
    tg = settings.telegram
    bot = make_bot(tg)
    dp = Dispatcher()
    dp.include_routers(resident_router.make_router(), moderation_router.make_router())
    dp["conversation"] = conversation
    dp["moderation"] = moderation
    dp["uploads"] = uploads
    storage = settings.storage
    delivery = TelegramDelivery(bot, conversation.sessions, moderation, storage.letters_dir, storage.uploads_dir)
    sender = OutboxSender(conversation.sessions, "telegram", delivery, clock=conversation.clock,
                          poll_interval=settings.outbox_poll_interval,
                          limiter=RateLimiter(per_chat_interval=tg.chat_interval,
                                              global_per_second=tg.global_per_second,
                                              group_interval=tg.group_interval))
    webhook_url = f"{settings.http.public_url.rstrip('/')}{WEBHOOK_PATH}"
    return TelegramRuntime(bot, dp, sender, tg, webhook_url)
