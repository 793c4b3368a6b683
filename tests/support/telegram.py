"""The whole service on the fake Telegram (`World`), and a resident and a staff member on it: they
only see and press what the bot sent over HTTP; the resident reads the stored conversation state
only to pick the answer to the current question (the same way tests/support/flows.Chat does)."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from bot.composition import Services
from config.settings import TelegramSettings
from db.directory import add_staff, update_kelurahan
from db.models import Conversation, InboundUpdate, LetterRequest, OutboxMessage
from db.outbox import OutboxStatus
from lifecycle.transitions import Status
from tests.fakes.telegram_api import FakeTelegram
from tests.support.flows import answer_until_summary
from tests.support.service import RunningService

GROUP = -1001234567
STAFF_ID = 7001
RESIDENT_ID = 5001
OUTBOX_POLL = 0.02  # seconds: the senders poll often, so that tests do not wait


def fake_bot_api(tg: FakeTelegram, **overrides: Any) -> TelegramSettings:
    """Telegram on the fake Bot API server: its token and address, no spacing between messages, short polls."""
    values: dict[str, Any] = {"bot_token": tg.token, "api_base": tg.base_url, "chat_interval": 0.0,
                              "group_interval": 0.0, "polling_timeout": 2}
    return TelegramSettings(_env_file=None, **{**values, **overrides})


def telegram_service(tg: FakeTelegram, data_dir: Path, database_url: str, *, public_url: str | None = None,
                     **telegram: Any) -> RunningService:
    """The whole service with Telegram on the fake Bot API (`telegram`: overrides, e.g. `mode="webhook"`)."""
    return RunningService(data_dir, database_url, public_url=public_url, telegram=fake_bot_api(tg, **telegram),
                          outbox_poll_interval=OUTBOX_POLL)


async def register(services: Services) -> None:
    """Bukit Tunggal's moderation group and its operator (Telegram user STAFF_ID)."""
    await register_in(services.sessions)


async def register_in(sessions: async_sessionmaker[AsyncSession]) -> None:
    """`register` in a database the service runs on elsewhere (its processes read the directory at start)."""
    await update_kelurahan(sessions, "bukit-tunggal", telegram_chat_id=GROUP)
    await add_staff(sessions, "bukit-tunggal", name="Rina (operator)", role="operator", telegram_user_id=STAFF_ID)


def jpeg(text: str = "KTP CONTOH") -> bytes:
    img = Image.new("RGB", (320, 200), (200, 220, 240))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


async def settled(tg: FakeTelegram, services: Services, update: dict[str, Any], chat_id: int) -> None:
    """The update was handled and every message it caused was delivered."""
    await tg.wait_confirmed(update, timeout=15)  # stored in the inbox
    for _ in range(1500):
        async with services.sessions() as s:
            unhandled = await s.scalar(select(func.count()).select_from(InboundUpdate).where(
                InboundUpdate.channel == "telegram", InboundUpdate.update_id == str(update["update_id"]),
                InboundUpdate.status == "pending"))
            pending = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.channel == "telegram"))
        if not unhandled and not pending:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"outbox to {chat_id} not drained")


async def issued_or_not_approved(services: Services, request_id: int) -> None:
    for _ in range(1000):
        async with services.sessions() as s:
            status = await s.scalar(select(LetterRequest.status).where(LetterRequest.id == request_id))
        if status != Status.APPROVED:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"request {request_id} was approved but not issued")


class Resident:
    def __init__(self, tg: FakeTelegram, services: Services, user_id: int) -> None:
        self.tg, self.services, self.user_id = tg, services, user_id

    async def text(self, text: str) -> None:
        await settled(self.tg, self.services, self.tg.user_sends_text(self.user_id, text), self.user_id)

    async def photo(self, data: bytes | None = None) -> None:
        await settled(self.tg, self.services, self.tg.user_sends_photo(self.user_id, data or jpeg()), self.user_id)

    async def press(self, value: str) -> None:
        data = f"c:{value}"
        for msg in reversed(self.tg.bot_messages(self.user_id)):
            rows = ((msg.get("reply_markup") or {}).get("inline_keyboard")) or []
            if any(b.get("callback_data") == data for row in rows for b in row):
                update = self.tg.user_presses(self.user_id, self.user_id, msg["message_id"], data)
                await settled(self.tg, self.services, update, self.user_id)
                return
        raise AssertionError(f"no button {value!r}; last messages: {self.tg.messages_to(self.user_id)[-2:]}")

    async def state(self) -> flows.ConversationState:
        async with self.services.sessions() as s:
            conv = await s.get(Conversation, ("telegram", str(self.user_id)))
        return flows.ConversationState.model_validate(conv.state if conv else {})

    async def start_sktm(self) -> None:
        await self.text("/start")
        await self.press("ya")  # consent
        await self.text("bukit tunggal")
        await self.press("sktm")
        await self.press("lanjut")

    async def fill(self, dependants: int = 1, overrides: dict[str, str] | None = None,
                   stop_at_attachment: bool = False) -> None:
        """Answer questions until the summary (not sent), or until the first upload is asked."""
        await answer_until_summary(self, self.services.catalogue, self.state, dependants, overrides,
                                   stop_at_file=stop_at_attachment)


class Staff:
    def __init__(self, tg: FakeTelegram, services: Services, user_id: int, group_id: int) -> None:
        self.tg, self.services, self.user_id, self.group_id = tg, services, user_id, group_id

    def card(self, code: str) -> dict[str, Any]:
        msg: dict[str, Any]
        for msg in reversed(self.tg.bot_messages(self.group_id)):
            if code in (msg.get("text") or "") and msg["text"].startswith("Permohonan"):
                return msg
        raise AssertionError(f"no card for {code}: {self.tg.messages_to(self.group_id)}")

    async def press(self, code: str, action: str, user_id: int | None = None) -> dict[str, Any]:
        msg = self.card(code)
        buttons = [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        data = next(b["callback_data"] for b in buttons if b["callback_data"].startswith(f"m:{action}:"))
        update = self.tg.user_presses(user_id or self.user_id, self.group_id, msg["message_id"], data,
                                      first_name="Petugas")
        await settled(self.tg, self.services, update, self.group_id)
        if action == "approve":  # the letter is issued by the approval's follow-up, after the button is answered
            await issued_or_not_approved(self.services, int(data.rsplit(":", 1)[1]))
            await settled(self.tg, self.services, update, self.group_id)
        return update

    async def reply_to_prompt(self, text: str) -> None:
        prompt = next(m for m in reversed(self.tg.bot_messages(self.group_id))
                      if "dengan membalas pesan ini" in (m.get("text") or ""))
        update = self.tg.user_replies(self.user_id, self.group_id, prompt["message_id"], text)
        await settled(self.tg, self.services, update, self.group_id)


@dataclass
class World:
    tg: FakeTelegram
    service: RunningService

    @property
    def services(self) -> Services:
        if self.service.services is None:
            raise RuntimeError("the service is not running")
        return self.service.services

    def resident(self, user_id: int = RESIDENT_ID) -> Resident:
        return Resident(self.tg, self.services, user_id)

    def staff(self, user_id: int = STAFF_ID) -> Staff:
        return Staff(self.tg, self.services, user_id, GROUP)


async def submitted_request(world: World, user_id: int = RESIDENT_ID) -> LetterRequest:
    """An SKTM request with one dependant, filled in and sent by the resident: now submitted."""
    resident = world.resident(user_id)
    await resident.start_sktm()
    await resident.fill(dependants=1)
    await resident.press("kirim")
    async with world.services.sessions() as s:
        req = await s.scalar(select(LetterRequest).order_by(LetterRequest.id.desc()).limit(1))
    assert req is not None and req.status == Status.SUBMITTED
    return req


@contextlib.asynccontextmanager
async def running_world(tg: FakeTelegram, data_dir: Path, database_url: str, **telegram: Any) -> AsyncIterator[World]:
    """The whole service started on the fake Bot API, Bukit Tunggal's group and operator registered;
    stopped on leaving (`telegram`: overrides of the Telegram settings, e.g. `request_timeout=1.0`)."""
    service = telegram_service(tg, data_dir, database_url, **telegram)
    await service.start()
    assert service.services is not None
    await register(service.services)
    try:
        yield World(tg, service)
    finally:
        await service.stop()
