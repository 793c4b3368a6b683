"""Staff side: the moderation group. Buttons on each request card; a rejection reason or a
correction note is asked with a ForceReply prompt and taken from the staff member's reply."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message, Update
from sqlalchemy import select

from bot.telegram.callbacks import answer
from bot.telegram.keyboards import MOD_PREFIX, parse_moderation
from db.dedup import first_time
from db.models import LetterRequest, ModerationPrompt
from db.outbox import enqueue
from lifecycle.errors import DomainError, NotAuthorized
from moderation.service import ACTIONS, NEEDS_TEXT, ModerationService


async def on_button(query: CallbackQuery, event_update: Update, moderation: ModerationService) -> None:
    """Every branch handles first and answers after, and a failed answer is harmless
    (bot/telegram/callbacks.py): an update retried from the inbox is still handled."""
    parsed = parse_moderation(query.data or "")
    if parsed is None or query.message is None:
        await answer(query, "Tombol tidak dikenal", show_alert=True)
        return
    action, request_id = parsed
    if action not in ACTIONS:
        await answer(query, "Tombol tidak dikenal", show_alert=True)
        return
    try:
        staff = await moderation.staff_for(request_id, telegram_user_id=query.from_user.id)
    except NotAuthorized as e:
        await answer(query, str(e), show_alert=True)
        return
    clock = moderation.lifecycle.clock
    if action in NEEDS_TEXT:
        async with moderation.sessions.begin() as s:  # dedup, prompt and its message: one transaction
            if await first_time(s, "telegram", event_update.update_id, clock()):
                code = await s.scalar(select(LetterRequest.code).where(LetterRequest.id == request_id))
                prompt = ModerationPrompt(channel="telegram", chat_id=str(query.message.chat.id), staff_id=staff.id,
                                          request_id=request_id, action=action, created_at=clock())
                s.add(prompt)
                await s.flush()
                text = f"{NEEDS_TEXT[action]} untuk permohonan {code}, dengan membalas pesan ini."
                enqueue(s, "telegram", query.message.chat.id, {"type": "prompt", "text": text, "prompt_id": prompt.id},
                        clock())
        await answer(query, "Silakan balas pesan berikut")
        return
    try:  # dedup and the decision in one short transaction, which schedules the letter (a follow-up)
        async with moderation.sessions.begin() as s:
            handled_before = not await first_time(s, "telegram", event_update.update_id, clock())
            if not handled_before:
                await moderation.act(request_id, staff, action, session=s)
    except DomainError as e:
        await answer(query, str(e), show_alert=True)
        return
    if handled_before:  # a retried update whose decision was committed: the letter is already on its way
        await answer(query)
        return
    await answer(query, "Disetujui; surat sedang diterbitkan")


async def on_reply(message: Message, event_update: Update, moderation: ModerationService) -> None:
    replied = message.reply_to_message
    if replied is None:  # the router sends only replies here
        raise ValueError(f"update {event_update.update_id}: not a reply")
    if message.from_user is None:  # sent on behalf of a chat: no staff member to authorise
        return
    clock = moderation.lifecycle.clock
    try:
        async with moderation.sessions.begin() as s:  # dedup, decision and closing the prompt: one transaction
            if not await first_time(s, "telegram", event_update.update_id, clock()):
                return
            prompt = await s.scalar(select(ModerationPrompt).where(
                ModerationPrompt.channel == "telegram", ModerationPrompt.chat_id == str(message.chat.id),
                ModerationPrompt.message_id == str(replied.message_id), ModerationPrompt.open.is_(True),
            ))
            if prompt is None:
                return
            staff = await moderation.staff_for(prompt.request_id, telegram_user_id=message.from_user.id, session=s)
            await moderation.act(prompt.request_id, staff, prompt.action, message.text or "", session=s)
            prompt.open = False
    except DomainError as e:
        async with moderation.sessions.begin() as s:
            await first_time(s, "telegram", event_update.update_id, clock())
            enqueue(s, "telegram", message.chat.id, {"type": "text", "text": f"Tidak dapat diproses: {e}"}, clock())


def make_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="moderation")
    router.callback_query.register(on_button, F.data.startswith(MOD_PREFIX))
    router.message.register(on_reply, F.reply_to_message, F.chat.type.in_({"group", "supergroup"}))
    return router
