"""Moderation cards in a Telegram group: the request's attachments, then the card with its buttons;
later decisions edit the card in place.

A card is never lost to a refused attachment: a photo Telegram will not take (e.g.
PHOTO_INVALID_DIMENSIONS) is sent as a document, and one it takes in no form is named in a note,
so staff always see the request. A card delivered again (its outbox row re-sent after a crash)
reuses the message already posted instead of leaving a second card with live buttons.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.keyboards import moderation_keyboard
from db.models import ModerationPost
from db.outbound import CardUpdateOut, ModerationCardOut
from moderation.service import NEW_FILE, Card, CardFile, ModerationService

log = logging.getLogger("esurat.telegram.cards")
MEDIA_GROUP_MAX = 10


class CardDelivery:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], moderation: ModerationService,
                 uploads_dir: Path) -> None:
        self.bot = bot
        self.sessions = sessions
        self.moderation = moderation
        self.uploads_dir = uploads_dir

    async def card(self, chat: int, message: ModerationCardOut) -> dict[str, Any]:
        card = await self.moderation.card(message.request_id)
        posted = await self._posted(message.post_id)
        if posted is not None and await self._edit(chat, posted, card):  # delivered before a crash
            return {"message_id": posted, "reused": True}
        await self._attachments(chat, card)
        return await self._send_new(chat, message.post_id, card)

    async def update(self, chat: int, message: CardUpdateOut) -> dict[str, Any]:
        card = await self.moderation.card(message.request_id)
        if message.event == "submit":  # re-submitted after a correction: the files sent anew, then the card
            await self._attachments(chat, card, [a for a in card.attachments if a.change == NEW_FILE])
        posted = await self._posted(message.post_id)
        if posted is not None and await self._edit(chat, posted, card):
            return {"message_id": posted}
        return await self._send_new(chat, message.post_id, card)  # the card itself never arrived (or was deleted)

    async def _posted(self, post_id: int) -> int | None:
        async with self.sessions() as s:
            message_id = await s.scalar(select(ModerationPost.message_id).where(ModerationPost.id == post_id))
        return int(message_id) if message_id is not None else None

    async def _edit(self, chat: int, message_id: int, card: Card) -> bool:
        """Bring a posted card up to date; False when it is gone (deleted in the group)."""
        try:
            await self.bot.edit_message_text(text=card.text(), chat_id=chat, message_id=message_id,
                                             reply_markup=moderation_keyboard(card.request_id, card.actions))
        except TelegramBadRequest as e:
            if "message is not modified" in str(e):
                return True
            if "message to edit not found" in str(e):
                return False
            raise
        return True

    async def _send_new(self, chat: int, post_id: int, card: Card) -> dict[str, Any]:
        msg = await self.bot.send_message(chat, card.text(),
                                          reply_markup=moderation_keyboard(card.request_id, card.actions))
        async with self.sessions.begin() as s:
            await s.execute(update(ModerationPost).where(ModerationPost.id == post_id)
                            .values(message_id=str(msg.message_id)))
        return {"message_id": msg.message_id}

    async def _attachments(self, chat: int, card: Card, which: list[CardFile] | None = None) -> None:
        """The card's files (or `which` of them), each captioned with what it is ("KTP (baru)")."""
        files = [(att, BufferedInputFile((self.uploads_dir / att.path).read_bytes(), f"{att.kind}-{att.id}"))
                 for att in (card.attachments if which is None else which)[:MEDIA_GROUP_MAX]]
        photos = [att.media_type.startswith("image/") for att, _ in files]
        as_documents = False
        if len(files) >= 2 and len(set(photos)) == 1:
            media: list[Any] = [(InputMediaPhoto if photo else InputMediaDocument)(media=data,
                                                                                  caption=f"{card.code}: {att.caption}")
                                for (att, data), photo in zip(files, photos, strict=True)]
            try:
                await self.bot.send_media_group(chat, media)
                return
            except TelegramBadRequest as e:  # one refused photo refuses the whole group
                log.warning("card %s: attachments refused as a group (%s); sending them one by one", card.code, e)
                as_documents = True
        refused = [att.label for att, data in files if not await self._one(chat, card.code, att, data, as_documents)]
        if refused:
            await self.bot.send_message(
                chat, f"{card.code}: lampiran {', '.join(refused)} tidak dapat ditampilkan di Telegram "
                      "(berkas ditolak oleh Telegram). Berkas aslinya tersimpan di sistem e-surat.")

    async def _one(self, chat: int, code: str, att: CardFile, data: BufferedInputFile, as_document: bool) -> bool:
        caption = f"{code}: {att.caption}"
        if att.media_type.startswith("image/") and not as_document:
            try:
                await self.bot.send_photo(chat, data, caption=caption)
                return True
            except TelegramBadRequest as e:  # e.g. PHOTO_INVALID_DIMENSIONS: a document has no such limits
                log.warning("card %s: photo %s refused (%s); sending it as a document", code, att.kind, e)
        try:
            await self.bot.send_document(chat, data, caption=caption)
            return True
        except TelegramBadRequest as e:
            log.warning("card %s: attachment %s refused (%s)", code, att.kind, e)
            return False
