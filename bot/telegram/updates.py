"""Telegram updates in and out of the inbox: what is stored of a raw update (its id and the chat it
belongs to, for per-chat order), and how a stored one is handled (parsed and fed to the aiogram
Dispatcher, whose `feed_update` raises when a handler fails, so the inbox retries it)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Update
from pydantic import ValidationError

from bot.inbox_worker import Handle, Unparseable
from db.health import reason
from db.inbox import Received
from db.models import InboundUpdate

CHANNEL = "telegram"
MAX_UPDATE_ID = 2**63 - 1


def update_id_of(payload: object) -> int | None:
    """The update's id if `payload` looks like a Telegram Update (an object with a non-negative integer id)."""
    if not isinstance(payload, dict):
        return None
    value = payload.get("update_id")
    if type(value) is not int or not 0 <= value <= MAX_UPDATE_ID:  # bool is no id
        return None
    return value


def chat_key(payload: dict[str, Any]) -> str | None:
    """The chat an update belongs to: its message's chat, a pressed button's message's chat, else its sender
    (a private chat's id is its user's id). None: no chat (handled in no particular order)."""
    for key, event in payload.items():
        if key == "update_id" or not isinstance(event, dict):
            continue
        message = event.get("message")
        for chat in (event.get("chat"), message.get("chat") if isinstance(message, dict) else None):
            if isinstance(chat, dict) and type(chat.get("id")) is int:
                return str(chat["id"])
        for user in (event.get("from"), event.get("user")):
            if isinstance(user, dict) and type(user.get("id")) is int:
                return str(user["id"])
        return None
    return None


def received(payload: object) -> Received | None:
    """What the inbox stores of a raw update; None if it is not a Telegram Update at all."""
    update_id = update_id_of(payload)
    if update_id is None or not isinstance(payload, dict):
        return None
    return Received(update_id=str(update_id), chat_key=chat_key(payload), payload=payload)


def feeder(dispatcher: Dispatcher, bot: Bot) -> Handle:
    """The inbox worker's `handle` for Telegram: parse the stored update and feed it to the dispatcher."""

    async def handle(row: InboundUpdate) -> None:
        try:
            update = Update.model_validate(row.payload, context={"bot": bot})
        except ValidationError as e:  # the errors' locations only: their messages quote the input
            where = sorted({".".join(str(p) for p in err["loc"][:2]) for err in e.errors()})[:5]
            raise Unparseable(f"not a Telegram Update ({', '.join(where)})") from None
        await dispatcher.feed_update(bot, update)

    return handle


def describe(error: BaseException) -> str:
    """An error as stored in the inbox and logged: class names, and Telegram's own description."""
    if isinstance(error, TelegramAPIError):
        return f"{type(error).__name__}: {error.message}"[:300]
    return reason(error)
