"""Outbound messages' choices rendered as Telegram inline keyboards. Callback data: `c:<value>` for a
resident's choice, `m:<action>:<request id>` for a moderation button (at most 64 bytes)."""

from __future__ import annotations

import html
import re

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.untrusted import row_id
from db.outbound import AskFileOut, TextOut

CHOICE_PREFIX = "c:"
MOD_PREFIX = "m:"


_BOLD = re.compile(r"\*([^*\n]+)\*")


def to_html(text: str) -> str:
    """The engine marks bold as *text* (WhatsApp style); Telegram gets escaped HTML with <b>."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def choice_keyboard(message: TextOut | AskFileOut) -> InlineKeyboardMarkup | None:
    """The message's choices as buttons: one row of up to 3, else (or for a list) one per row."""
    if not message.choices:
        return None
    buttons = [InlineKeyboardButton(text=c.title, callback_data=(CHOICE_PREFIX + c.value)[:64])
               for c in message.choices]
    if message.style == "list" or len(buttons) > 3:
        rows = [[b] for b in buttons]
    else:
        rows = [buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def moderation_keyboard(request_id: int, actions: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    if not actions:
        return None
    row = [InlineKeyboardButton(text=label, callback_data=f"{MOD_PREFIX}{action}:{request_id}")
           for action, label in actions]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def parse_moderation(data: str) -> tuple[str, int] | None:
    """(action, request id) of a moderation button's data, or None for anything else (also an id no row can have)."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] + ":" != MOD_PREFIX or not parts[1]:
        return None
    request_id = row_id(parts[2])
    return (parts[1], request_id) if request_id is not None else None
