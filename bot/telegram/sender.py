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
from aiogram.types import BufferedInputFile, ForceReply, InputMediaDocument, InputMediaPhoto
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import PermanentFailure, RetryLater
from bot.telegram.keyboards import choice_keyboard, moderation_keyboard, to_html
from db.models import ModerationPost, ModerationPrompt, OutboxMessage
from moderation.service import ModerationService


class TelegramDelivery:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], moderation: ModerationService,
                 letters_dir: Path, uploads_dir: Path) -> None:
        self.bot = bot
        self.sessions = sessions
        self.moderation = moderation
        self.letters_dir = letters_dir
        self.uploads_dir = uploads_dir

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
            return await self._card(chat, p)
        if kind == "card_update":
            return await self._card_update(chat, p)
        if kind == "prompt":
            msg = await self.bot.send_message(chat, p["text"], reply_markup=ForceReply(selective=True))
            async with self.sessions.begin() as s:
                await s.execute(update(ModerationPrompt).where(ModerationPrompt.id == p["prompt_id"])
                                .values(message_id=str(msg.message_id)))
            return {"message_id": msg.message_id}
        raise PermanentFailure(f"unknown payload type {kind!r}")

    async def _card(self, chat: int, p: dict[str, Any]) -> dict[str, Any]:
        card = await self.moderation.card(p["request_id"])
        if card.attachments:
            media: list[Any] = []
            for att in card.attachments[:10]:
                data = BufferedInputFile((self.uploads_dir / att.path).read_bytes(), f"{att.kind}-{att.id}")
                if att.media_type.startswith("image/"):
                    media.append(InputMediaPhoto(media=data, caption=att.kind))
                else:
                    media.append(InputMediaDocument(media=data, caption=att.kind))
            if all(isinstance(m, InputMediaPhoto) for m in media) or all(
                isinstance(m, InputMediaDocument) for m in media
            ):
                if len(media) == 1:
                    m = media[0]
                    send = self.bot.send_photo if isinstance(m, InputMediaPhoto) else self.bot.send_document
                    await send(chat, m.media, caption=f"{card.code}: {m.caption}")
                else:
                    await self.bot.send_media_group(chat, media)
            else:
                for m in media:
                    send = self.bot.send_photo if isinstance(m, InputMediaPhoto) else self.bot.send_document
                    await send(chat, m.media, caption=f"{card.code}: {m.caption}")
        msg = await self.bot.send_message(chat, card.text(), reply_markup=moderation_keyboard(card.request_id,
                                                                                                card.actions))
        async with self.sessions.begin() as s:
            await s.execute(update(ModerationPost).where(ModerationPost.id == p["post_id"])
                            .values(message_id=str(msg.message_id)))
        return {"message_id": msg.message_id}

    async def _card_update(self, chat: int, p: dict[str, Any]) -> dict[str, Any] | None:
        async with self.sessions() as s:
            message_id = await s.scalar(select(ModerationPost.message_id).where(ModerationPost.id == p["post_id"]))
        card = await self.moderation.card(p["request_id"])
        markup = moderation_keyboard(card.request_id, card.actions)
        if message_id is None:  # the card itself was never delivered: send it now
            msg = await self.bot.send_message(chat, card.text(), reply_markup=markup)
            return {"message_id": msg.message_id}
        await self.bot.edit_message_text(text=card.text(), chat_id=chat, message_id=int(message_id),
                                         reply_markup=markup)
        return {"message_id": int(message_id)}
