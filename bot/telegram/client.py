"""The aiogram Bot, pointed at the configured Bot API server (tests: a fake on loopback)."""

from __future__ import annotations

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import Response
from aiogram.client.telegram import TelegramAPIServer

from config.settings import Settings

# aiogram builds `Response[<result type>]` for every call; pydantic caches parametrised models
# only weakly, so under load they are garbage-collected and rebuilt (milliseconds each).
# Holding them here keeps the cache warm for the methods e-surat uses.
_RESPONSE_TYPES = tuple(
    Response[m.__returning__]  # type: ignore[name-defined]
    for m in (methods.SendMessage, methods.EditMessageText, methods.SendDocument, methods.SendPhoto,
              methods.SendMediaGroup, methods.AnswerCallbackQuery, methods.GetFile, methods.GetUpdates,
              methods.GetMe, methods.SetMyCommands, methods.SetWebhook, methods.DeleteWebhook)
)


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN is not set"
    base = settings.telegram_api_base.rstrip("/")
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    return Bot(settings.telegram_bot_token, session=session)
