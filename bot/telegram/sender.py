"""Delivers Telegram outbox rows with aiogram; maps Bot API errors to retry / give up. A send
that may have reached Telegram without an answer is not repeated blindly: see `bot.telegram.uncertain`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, ForceReply
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import PermanentFailure, RetryLater
from bot.telegram.cards import CardDelivery
from bot.telegram.keyboards import choice_keyboard, moderation_keyboard, to_html
from bot.telegram.uncertain import (
    EditProbe,
    UncertainSend,
    find_earlier_attempt,
    is_uncertain,
    last_known_message_id,
    never_sent,
)
from db.models import ModerationPost, ModerationPrompt, OutboxMessage
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
        probing = is_uncertain(row)
        try:
            if probing:
                found = await self._earlier_attempt(row)
                probing = False
                if found is not None:
                    return found
            return await self._deliver(row)
        except TelegramNetworkError as e:
            if probing or not never_sent(e):  # the request went out, or the probe did not finish
                raise RetryLater(0.0, str(UncertainSend(str(e)))) from e
            raise  # no connection was made: retried with backoff
        except TelegramRetryAfter as e:
            detail = str(UncertainSend(str(e))) if probing else str(e)
            raise RetryLater(float(e.retry_after), detail, count_attempt=False) from e
        except (TelegramForbiddenError, TelegramNotFound) as e:
            raise PermanentFailure(str(e)) from e
        except TelegramBadRequest as e:
            if "message is not modified" in str(e):
                return None
            raise PermanentFailure(str(e)) from e
        except Exception as e:
            if probing:  # the probe did not finish: the row stays uncertain
                raise RetryLater(1.0, str(UncertainSend(repr(e)))) from e
            raise

    async def _earlier_attempt(self, row: OutboxMessage) -> dict[str, Any] | None:
        """Did an earlier attempt of this uncertain row arrive? Its result if so (the bookkeeping a
        successful send does included), None if the row must be sent again."""
        p = row.payload
        chat = int(row.chat_id)
        kind = p.get("type")
        edit: EditProbe
        if kind == "text":
            def edit(mid: int) -> Any:
                return self.bot.edit_message_text(text=to_html(p["text"]), chat_id=chat, message_id=mid,
                                                  parse_mode="HTML", reply_markup=choice_keyboard(p))
        elif kind == "prompt":
            def edit(mid: int) -> Any:
                return self.bot.edit_message_text(text=p["text"], chat_id=chat, message_id=mid)
        elif kind == "document":
            def edit(mid: int) -> Any:
                return self.bot.edit_message_caption(chat_id=chat, message_id=mid, caption=p.get("caption"))
        elif kind == "moderation_card":
            card = await self.moderation.card(p["request_id"])
            markup = moderation_keyboard(card.request_id, card.actions)

            def edit(mid: int) -> Any:
                return self.bot.edit_message_text(text=card.text(), chat_id=chat, message_id=mid, reply_markup=markup)
        else:  # card updates are edits: repeating one is harmless ("message is not modified")
            return None
        message_id = await find_earlier_attempt(await last_known_message_id(self.sessions, row), edit)
        if message_id is None:
            return None
        if kind == "moderation_card":
            await self._record(update(ModerationPost).where(ModerationPost.id == p["post_id"])
                               .values(message_id=str(message_id)))
        if kind == "prompt":
            await self._record(update(ModerationPrompt).where(ModerationPrompt.id == p["prompt_id"])
                               .values(message_id=str(message_id)))
        return {"message_id": message_id, "verified_after_uncertain_send": True}

    async def _record(self, statement: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(statement)

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
