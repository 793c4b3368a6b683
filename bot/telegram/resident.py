"""Resident side of the Telegram bot: every private-chat update goes through the engine."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Document, Message, PhotoSize, Update

import flows
from bot.telegram.callbacks import answer
from bot.telegram.keyboards import CHOICE_PREFIX
from conversation.intake import UploadIntake
from conversation.service import ConversationService

log = logging.getLogger("esurat.telegram")
COMMANDS = {"start": "mulai", "status": "status", "batal": "batal", "bantuan": "bantuan", "kembali": "kembali"}


def _name(message: Message) -> str:
    return message.from_user.full_name if message.from_user else ""


async def on_command(message: Message, command: CommandObject, event_update: Update,
                     conversation: ConversationService) -> None:
    inbound = flows.Command(name=COMMANDS.get(command.command, command.command))
    await conversation.handle("telegram", message.chat.id, inbound, update_id=event_update.update_id,
                              display_name=_name(message))


async def on_file(message: Message, bot: Bot, event_update: Update, conversation: ConversationService,
                  intake: UploadIntake) -> None:
    item: PhotoSize | Document
    if message.photo:
        item = message.photo[-1]
        filename, is_photo, declared = None, True, "image/jpeg"
    elif message.document is not None:
        item = message.document
        filename, is_photo = message.document.file_name, False
        declared = message.document.mime_type or "application/octet-stream"
    else:  # the router sends only photos and documents here
        raise ValueError(f"update {event_update.update_id}: no photo or document to receive")
    size = item.file_size or 0
    data: bytes | None = None
    if size <= intake.max_bytes:
        # A failed download (Telegram unreachable, 429, 5xx) fails the update: it is retried from the
        # inbox. Only a file Telegram refuses for good (bad file id, too big) is treated as unusable.
        try:
            file = await bot.get_file(item.file_id)
        except TelegramBadRequest as e:
            log.info("update %s: file refused by Telegram (%s)", event_update.update_id, e.message)
            file = None
        downloaded = await bot.download(file) if file is not None and file.file_path else None
        data = downloaded.read() if downloaded is not None else None
    inbound = await intake.receive(data, size=size, filename=filename, declared_type=declared, is_photo=is_photo)
    await conversation.handle("telegram", message.chat.id, inbound, update_id=event_update.update_id,
                              display_name=_name(message))


async def on_text(message: Message, event_update: Update, conversation: ConversationService) -> None:
    await conversation.handle("telegram", message.chat.id, flows.Text(text=message.text or ""),
                              update_id=event_update.update_id, display_name=_name(message))


async def on_other(message: Message, event_update: Update, conversation: ConversationService) -> None:
    """Stickers, voice notes, locations...: ask again with the current prompt."""
    await conversation.handle("telegram", message.chat.id, flows.Text(text=""), update_id=event_update.update_id)


async def on_choice(query: CallbackQuery, event_update: Update, conversation: ConversationService) -> None:
    """Handled first, answered after (bot/telegram/callbacks.py): a retried press is still handled."""
    value = (query.data or "")[len(CHOICE_PREFIX):]
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await conversation.handle("telegram", chat_id, flows.ChoiceMade(value=value), update_id=event_update.update_id)
    await answer(query)


def make_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="resident")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_command, CommandStart())
    router.message.register(on_command, CommandFilter(*COMMANDS))
    router.message.register(on_file, F.photo | F.document)
    router.message.register(on_text, F.text)
    router.message.register(on_other)
    router.callback_query.register(on_choice, F.data.startswith(CHOICE_PREFIX), F.message.chat.type == "private")
    return router
