"""Delivers Telegram outbox rows with aiogram; maps Bot API errors to retry / give up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, ForceReply
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import PermanentFailure, RetryLater
from bot.telegram.cards import CardDelivery
from bot.telegram.keyboards import choice_keyboard, to_html
from db.models import ModerationPrompt, OutboxMessage
from moderation.service import ModerationService


class TelegramDelivery:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], moderation: ModerationService,
                 letters_dir: Path, uploads_dir: Path) -> None:
        self.bot = bot
        self.sessions = sessions
        self.moderation = moderation
        self.letters_dir = letters_dir
        self.cards = CardDelivery(bot, sessions, moderation, uploads_dir)

    async def __call__(self, row: OutboxMessage) -> dict[str, Any] | None:
        try:
            return await self._deliver(row)
        except TelegramRetryAfter as e:
            raise RetryLater(float(e.retry_after), str(e), count_attempt=False) from e
        except (TelegramForbiddenError, TelegramNotFound) as e:
            raise PermanentFailure(str(e)) from e
        except TelegramBadRequest as e:
            if "message is not modified" in str(e):
                return None
            raise PermanentFailure(str(e)) from e

    async def _deliver(self, row: OutboxMessage) -> dict[str, Any] | None:
        p = row.payload
        chat = int(row.chat_id)
        kind = p.get("type")
        if kind == "text":
            msg = await self.bot.send_message(chat, to_html(p["text"]), parse_mode="HTML",
                                              reply_markup=choice_keyboard(p))
            return {"message_id": msg.message_id}
        if kind == "document":
            data = (self.letters_dir / p["path"]).read_bytes()
            msg = await self.bot.send_document(chat, BufferedInputFile(data, p["filename"]), caption=p.get("caption"))
            return {"message_id": msg.message_id}
        if kind == "moderation_card":
            return await self.cards.card(chat, p)
        if kind == "card_update":
            return await self.cards.update(chat, p)
        if kind == "prompt":
            msg = await self.bot.send_message(chat, p["text"], reply_markup=ForceReply(selective=True))
            async with self.sessions.begin() as s:
                await s.execute(update(ModerationPrompt).where(ModerationPrompt.id == p["prompt_id"])
                                .values(message_id=str(msg.message_id)))
            return {"message_id": msg.message_id}
        raise PermanentFailure(f"unknown payload type {kind!r}")
