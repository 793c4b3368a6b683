"""The whole service with WhatsApp on the fake Graph API (and, for moderation, Telegram on the fake Bot API):
`WaWorld`, and a resident who only sees what the service sent to the fake and answers with signed webhooks,
the way Meta posts them; it reads the stored conversation state only to pick the answer to the current
question (like tests/support/telegram.Resident)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from bot.composition import Services
from config.settings import WhatsAppSettings
from db.models import Conversation, InboundUpdate, OutboxMessage
from db.outbox import OutboxStatus
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import FakeWhatsApp
from tests.support.flows import answer_until_summary
from tests.support.service import RunningService
from tests.support.telegram import OUTBOX_POLL, fake_bot_api, jpeg

VERIFY_TOKEN = "esurat-verify-token-for-tests"
WA_ID = "6281234567890"
WEBHOOK_PATH = "/webhooks/whatsapp"


def fake_graph_api(wa: FakeWhatsApp, **overrides: Any) -> WhatsAppSettings:
    """WhatsApp on the fake Graph API: its token, number, app secret and address; no spacing between messages."""
    values: dict[str, Any] = {"token": wa.token, "phone_number_id": wa.phone_number_id, "app_secret": wa.app_secret,
                              "verify_token": VERIFY_TOKEN, "api_base": wa.base_url, "chat_interval": 0.0}
    return WhatsAppSettings(_env_file=None, **{**values, **overrides})


def whatsapp_service(wa: FakeWhatsApp, data_dir: Path, database_url: str, *, tg: FakeTelegram | None = None,
                     **whatsapp: Any) -> RunningService:
    """The whole service with WhatsApp on the fake Graph API and, with `tg`, Telegram on the fake Bot API."""
    service = RunningService(data_dir, database_url, telegram=fake_bot_api(tg) if tg is not None else None,
                             whatsapp=fake_graph_api(wa, **whatsapp), outbox_poll_interval=OUTBOX_POLL)
    wa.webhook_url = service.base_url + WEBHOOK_PATH
    return service


def wamid_of(payload: dict[str, Any]) -> str:
    """The id of the (first) message of a `messages` webhook payload."""
    return str(payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


async def inbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[InboundUpdate]:
    async with sessions() as s:
        return list(await s.scalars(select(InboundUpdate).where(InboundUpdate.channel == "whatsapp")
                                    .order_by(InboundUpdate.id)))


async def settled(services: Services, wamid: str, timeout: float = 20.0) -> None:  # noqa: ASYNC109 - polls
    """The message was handled and every WhatsApp message it caused was sent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with services.sessions() as s:
            status = await s.scalar(select(InboundUpdate.status).where(
                InboundUpdate.channel == "whatsapp", InboundUpdate.update_id == wamid))
            pending = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "whatsapp", OutboxMessage.status == OutboxStatus.PENDING))
        if status is not None and status != "pending" and not pending:
            return
        if loop.time() > deadline:
            raise AssertionError(f"message {wamid} not settled within {timeout}s: inbox {status}, "
                                 f"{pending} WhatsApp outbox rows pending")
        await asyncio.sleep(0.01)


class WaResident:
    """A WhatsApp user: sends signed webhooks to the running service and waits until they are settled."""

    def __init__(self, wa: FakeWhatsApp, services: Services, wa_id: str = WA_ID, name: str = "Siti Aminah") -> None:
        self.wa, self.services, self.wa_id, self.name = wa, services, wa_id, name

    async def send(self, payload: dict[str, Any]) -> httpx.Response:
        response = await self.wa.post_webhook(payload)
        assert response.status_code == 200, response.text
        await settled(self.services, wamid_of(payload))
        return response

    async def text(self, text: str) -> None:
        await self.send(self.wa.user_sends_text(self.wa_id, text, name=self.name))

    async def photo(self, data: bytes | None = None) -> None:
        await self.send(self.wa.user_sends_image(self.wa_id, data or jpeg(), name=self.name))

    async def sticker(self) -> None:
        await self.send(self.wa.user_sends_sticker(self.wa_id, name=self.name))

    async def press(self, value: str) -> None:
        """Tap the reply button or pick the list row whose id is `value` (on the latest message offering it)."""
        for message in reversed(self.wa.sent_to(self.wa_id)):
            for choice in message.choices:
                if choice.id == value:
                    kind = message.interactive_type
                    reply_type = "button_reply" if kind == "button" else "list_reply"
                    context = {"from": self.wa.business.display_phone_number, "id": message.wamid}
                    content = {"type": reply_type, reply_type: {"id": choice.id, "title": choice.title}}
                    await self.send(self.wa.user_sends(self.wa_id, "interactive", content, name=self.name,
                                                       context=context))
                    return
        state = await self.state()
        raise AssertionError(f"no choice {value!r} offered (step {state.step}); last messages: "
                             f"{self.wa.messages_to(self.wa_id)[-2:]}")

    async def state(self) -> flows.ConversationState:
        async with self.services.sessions() as s:
            conv = await s.get(Conversation, ("whatsapp", self.wa_id))
        return flows.ConversationState.model_validate(conv.state if conv else {})

    async def start(self, letter: str = "sku") -> None:
        """Greeting, consent, kelurahan typed by name, the letter and its requirements."""
        await self.text("halo")
        await self.press("ya")  # consent
        await self.text("bukit tunggal")
        await self.press(letter)
        await self.press("lanjut")

    async def fill(self, dependants: int = 0, stop_at_attachment: bool = False) -> bool:
        """Answer until the summary (True; not sent), or, with `stop_at_attachment`, the first upload (False)."""
        return await answer_until_summary(self, self.services.catalogue, self.state, dependants,
                                          stop_at_file=stop_at_attachment)

    def last_text(self) -> str:
        last = self.wa.last_message(self.wa_id)
        return last.text if last is not None else ""


@dataclass
class WaWorld:
    wa: FakeWhatsApp
    service: RunningService
    tg: FakeTelegram | None = None

    @property
    def services(self) -> Services:
        if self.service.services is None:
            raise RuntimeError("the service is not running")
        return self.service.services

    @property
    def webhook_url(self) -> str:
        return self.service.base_url + WEBHOOK_PATH

    def resident(self, wa_id: str = WA_ID) -> WaResident:
        return WaResident(self.wa, self.services, wa_id)


@asynccontextmanager
async def wa_world(data_dir: Path, db_url: str, *, telegram: bool = False) -> AsyncIterator[WaWorld]:
    """A running service with WhatsApp on a fake Graph API (and Telegram on a fake Bot API with `telegram`)."""
    async with FakeWhatsApp() as wa:
        if not telegram:
            service = whatsapp_service(wa, data_dir, db_url)
            async with service:
                yield WaWorld(wa, service)
            return
        async with FakeTelegram(token="123456:TEST") as tg:
            service = whatsapp_service(wa, data_dir, db_url, tg=tg)
            async with service:
                yield WaWorld(wa, service, tg)
