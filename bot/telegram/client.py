"""The aiogram Bot, pointed at the configured Bot API server (tests: a fake on loopback)."""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response

from config.settings import TelegramSettings

# aiogram builds `Response[<result type>]` for every call; pydantic caches parametrised models
# only weakly, so under load they are garbage-collected and rebuilt (milliseconds each).
# Holding them here keeps the cache warm for the methods e-surat uses. (The result type is a
# runtime value, hence the parametrisation through `Any`.)
_RESPONSE_TYPES: tuple[type, ...] = tuple(
    cast(Any, Response)[m.__returning__]
    for m in (methods.SendMessage, methods.EditMessageText, methods.SendDocument, methods.SendPhoto,
              methods.SendMediaGroup, methods.AnswerCallbackQuery, methods.GetFile, methods.GetUpdates,
              methods.GetMe, methods.SetMyCommands, methods.SetWebhook, methods.DeleteWebhook)
)


def make_bot(settings: TelegramSettings) -> Bot:
    if settings.bot_token is None or not settings.enabled:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base.rstrip("/")),
                             timeout=settings.request_timeout)
    return Bot(settings.bot_token.get_secret_value(), session=session)
