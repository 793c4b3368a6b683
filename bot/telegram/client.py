"""The aiogram Bot, pointed at the configured Bot API server (tests: a fake on loopback)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from config.settings import Settings


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN is not set"
    base = settings.telegram_api_base.rstrip("/")
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    return Bot(settings.telegram_bot_token, session=session)
