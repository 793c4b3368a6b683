"""Staff side: the moderation group. Buttons on each request card; a rejection reason or a
correction note is asked with a ForceReply prompt and taken from the staff member's reply.
What a press or a reply does is the channel-neutral staff desk (`moderation.desk`); this is its
aiogram adapter."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message, Update

from bot.telegram.callbacks import answer
from bot.telegram.keyboards import MOD_PREFIX, parse_moderation
from moderation.desk import UNKNOWN_BUTTON, StaffDesk
from moderation.service import ModerationService

CHANNEL = "telegram"


async def on_button(query: CallbackQuery, event_update: Update, moderation: ModerationService) -> None:
    """Every branch handles first and answers after, and a failed answer is harmless
    (bot/telegram/callbacks.py): an update retried from the inbox is still handled."""
    parsed = parse_moderation(query.data or "")
    if parsed is None or query.message is None:
        await answer(query, UNKNOWN_BUTTON, show_alert=True)
        return
    action, request_id = parsed
    said = await StaffDesk(moderation).press(CHANNEL, query.message.chat.id, query.from_user.id, request_id, action,
                                             event_update.update_id)
    await answer(query, said.text or None, show_alert=said.alert)


async def on_reply(message: Message, event_update: Update, moderation: ModerationService) -> None:
    replied = message.reply_to_message
    if replied is None:  # the router sends only replies here
        raise ValueError(f"update {event_update.update_id}: not a reply")
    if message.from_user is None:  # sent on behalf of a chat: no staff member to authorise
        return
    await StaffDesk(moderation).reply(CHANNEL, message.chat.id, message.from_user.id, replied.message_id,
                                      message.text or "", event_update.update_id)


def make_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="moderation")
    router.callback_query.register(on_button, F.data.startswith(MOD_PREFIX))
    router.message.register(on_reply, F.reply_to_message, F.chat.type.in_({"group", "supergroup"}))
    return router
