"""Wires the Telegram bot: dispatcher and routers, polling or webhook, and the outbox sender."""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand
from fastapi import APIRouter, Request, Response

from bot.delivery import OutboxSender, RateLimiter
from bot.telegram import moderation as moderation_router
from bot.telegram import resident as resident_router
from bot.telegram.client import make_bot
from bot.telegram.sender import TelegramDelivery
from config.settings import Settings
from conversation.service import ConversationService
from db.filestore import UploadStore
from moderation.service import ModerationService

log = logging.getLogger("esurat.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
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
    settings: Settings

    async def run_sender(self) -> None:
        await self.sender.run_forever()

    async def run_polling(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.bot.set_my_commands(BOT_COMMANDS)
        # handle_as_tasks=False: an update is handled (and committed) before the next getUpdates
        # confirms it, so a crash never loses one; redelivery is deduplicated by update_id.
        await self.dispatcher.start_polling(self.bot, handle_as_tasks=False, handle_signals=False,
                                            close_bot_session=False,
                                            polling_timeout=self.settings.telegram_polling_timeout)

    async def stop(self) -> None:
        if self.dispatcher._running_lock.locked():  # noqa: SLF001 - aiogram has no public flag
            await self.dispatcher.stop_polling()
        await self.bot.session.close()

    def webhook_router(self) -> APIRouter:
        router = APIRouter()
        secret = (self.settings.telegram_webhook_secret or "").encode()

        @router.post("/webhooks/telegram")
        async def telegram_webhook(request: Request) -> Response:
            given = (request.headers.get(SECRET_HEADER) or "").encode()
            if not secret or not hmac.compare_digest(given, secret):
                return Response(status_code=403)
            update = await request.json()
            await self.dispatcher.feed_raw_update(self.bot, update)
            return Response(status_code=200)

        return router


def build_telegram(settings: Settings, conversation: ConversationService, moderation: ModerationService,
                   uploads: UploadStore) -> TelegramRuntime:
    bot = make_bot(settings)
    dp = Dispatcher()
    dp.include_routers(resident_router.make_router(), moderation_router.make_router())
    dp["conversation"] = conversation
    dp["moderation"] = moderation
    dp["uploads"] = uploads
    delivery = TelegramDelivery(bot, conversation.sessions, moderation, settings.letters_dir, settings.uploads_dir)
    sender = OutboxSender(conversation.sessions, "telegram", delivery, clock=conversation.clock,
                          poll_interval=settings.outbox_poll_interval,
                          limiter=RateLimiter(per_chat_interval=settings.telegram_chat_interval,
                                              global_per_second=settings.telegram_global_per_second,
                                              group_interval=settings.telegram_group_interval))
    return TelegramRuntime(bot, dp, sender, settings)


async def setup_webhook(runtime: TelegramRuntime) -> None:
    url = f"{runtime.settings.public_url.rstrip('/')}/webhooks/telegram"
    await runtime.bot.set_webhook(url, secret_token=runtime.settings.telegram_webhook_secret)
    await runtime.bot.set_my_commands(BOT_COMMANDS)
    await asyncio.sleep(0)
