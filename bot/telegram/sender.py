"""Delivers Telegram outbox rows (typed messages, `db.outbound`) with aiogram; maps Bot API errors to
retry / give up. A send
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
from bot.send_errors import error_code
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
from db.outbound import (
    AskFileOut,
    CardUpdateOut,
    DocumentOut,
    ModerationCardOut,
    Outbound,
    StaffPromptOut,
    TextOut,
)
from moderation.service import ModerationService


class TelegramDelivery:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], moderation: ModerationService,
                 letters_dir: Path, uploads_dir: Path) -> None:
        self.bot = bot
        self.sessions = sessions
        self.moderation = moderation
        self.letters_dir = letters_dir
        self.cards = CardDelivery(bot, sessions, moderation, uploads_dir)

    async def __call__(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        probing = is_uncertain(row)
        try:
            if probing:
                found = await self._earlier_attempt(row, message)
                probing = False
                if found is not None:
                    return found
            return await self._deliver(int(row.chat_id), message)
        except TelegramNetworkError as e:
            if probing or not never_sent(e):  # the request went out, or the probe did not finish
                raise RetryLater(0.0, str(UncertainSend(str(e))), code=error_code(e)) from e
            raise  # no connection was made: retried with backoff
        except TelegramRetryAfter as e:
            detail = str(UncertainSend(str(e))) if probing else str(e)
            raise RetryLater(float(e.retry_after), detail, count_attempt=False, code="429") from e
        except (TelegramForbiddenError, TelegramNotFound) as e:
            raise PermanentFailure(str(e), code="403" if isinstance(e, TelegramForbiddenError) else "404") from e
        except TelegramBadRequest as e:
            if "message is not modified" in str(e):
                return None
            raise PermanentFailure(str(e), code="400") from e
        except Exception as e:
            if probing:  # the probe did not finish: the row stays uncertain
                raise RetryLater(1.0, str(UncertainSend(repr(e))), code=error_code(e)) from e
            raise

    async def _earlier_attempt(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        """Did an earlier attempt of this uncertain row arrive? Its result if so (the bookkeeping a
        successful send does included), None if the row must be sent again."""
        chat = int(row.chat_id)
        edit: EditProbe
        match message:
            case TextOut() | AskFileOut():
                text, markup = to_html(message.text), choice_keyboard(message)

                def edit(mid: int) -> Any:
                    return self.bot.edit_message_text(text=text, chat_id=chat, message_id=mid, parse_mode="HTML",
                                                      reply_markup=markup)
            case StaffPromptOut():
                prompt = message.text

                def edit(mid: int) -> Any:
                    return self.bot.edit_message_text(text=prompt, chat_id=chat, message_id=mid)
            case DocumentOut():
                caption = message.caption or None

                def edit(mid: int) -> Any:
                    return self.bot.edit_message_caption(chat_id=chat, message_id=mid, caption=caption)
            case ModerationCardOut():
                card = await self.moderation.card(message.request_id)
                card_markup = moderation_keyboard(card.request_id, card.actions)

                def edit(mid: int) -> Any:
                    return self.bot.edit_message_text(text=card.text(), chat_id=chat, message_id=mid,
                                                      reply_markup=card_markup)
            case CardUpdateOut():  # an edit: repeating one is harmless ("message is not modified")
                return None
        message_id = await find_earlier_attempt(await last_known_message_id(self.sessions, row), edit)
        if message_id is None:
            return None
        match message:
            case ModerationCardOut():
                await self._record(update(ModerationPost).where(ModerationPost.id == message.post_id)
                                   .values(message_id=str(message_id)))
            case StaffPromptOut():
                await self._record(update(ModerationPrompt).where(ModerationPrompt.id == message.prompt_id)
                                   .values(message_id=str(message_id)))
        return {"message_id": message_id, "verified_after_uncertain_send": True}

    async def _record(self, statement: Any) -> None:
        async with self.sessions.begin() as s:
            await s.execute(statement)

    async def _deliver(self, chat: int, message: Outbound) -> dict[str, Any] | None:
        match message:
            case TextOut() | AskFileOut():
                msg = await self.bot.send_message(chat, to_html(message.text), parse_mode="HTML",
                                                  reply_markup=choice_keyboard(message))
            case DocumentOut():
                data = (self.letters_dir / message.path).read_bytes()
                msg = await self.bot.send_document(chat, BufferedInputFile(data, message.filename),
                                                   caption=message.caption or None)
            case ModerationCardOut():
                return await self.cards.card(chat, message)
            case CardUpdateOut():
                return await self.cards.update(chat, message)
            case StaffPromptOut():
                msg = await self.bot.send_message(chat, message.text, reply_markup=ForceReply(selective=True))
                await self._record(update(ModerationPrompt).where(ModerationPrompt.id == message.prompt_id)
                                   .values(message_id=str(msg.message_id)))
        return {"message_id": msg.message_id}
