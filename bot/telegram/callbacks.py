"""Answering a button press. The press is handled first and answered after: Telegram accepts an
answer only for a short while and only once, so an update retried from the inbox (after a failure
or an outage) finds its query "too old" and must still be handled. A failed answer only stops the
spinner on the user's button; it is logged in one line and never fails the update."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery

log = logging.getLogger("esurat.telegram")


async def answer(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> bool:
    """Answer the press; False (logged, harmless) if Telegram refused or could not be reached."""
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramAPIError as e:
        log.info("callback query not answered (%s: %s)", type(e).__name__, e.message)
        return False
    return True
