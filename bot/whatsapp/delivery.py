"""Delivery of outbox rows to WhatsApp (the channel's `deliver`), inside or outside the 24-hour window.

Free-form messages are allowed only while the resident's customer-service window is open: their last message
is younger than 24 hours, read from the inbox (every inbound WhatsApp message is stored there with `chat_key` =
the sender's wa_id). Outside it the message goes as the registered template of its notice (`templates.py`);
a 131047 refusal ("re-engagement required") switches to the template at once.

Errors (by Graph API code): rate limits are retried later without spending an attempt, with a per-chat
backoff; refusals that cannot change (invalid recipient, unsupported message, bad token, missing
permission, HTTP 401/403, other 4xx) fail the row permanently and are logged with the number masked;
5xx and transport errors propagate, and the OutboxSender retries them with backoff. The Cloud API has no
idempotency key and no way to look up what was sent, so a send cut short (a read timeout, a dropped
connection, a killed process) is simply sent again: the resident may, rarely, get that message twice, never
zero times. Text longer than 4096 characters goes in pieces, and a row retried after a piece was sent sends
the earlier pieces again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import PermanentFailure, RetryLater
from bot.send_errors import error_code
from bot.whatsapp.client import GraphError, WhatsAppClient
from bot.whatsapp.render import document_message, prompt_messages
from bot.whatsapp.templates import template_for, template_message
from config.settings import WhatsAppSettings
from db.models import InboundUpdate, OutboxMessage
from db.outbound import AskFileOut, DocumentOut, Outbound, TextOut
from lifecycle.service import Clock

log = logging.getLogger("esurat.whatsapp")
CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=10)  # the webhook may arrive late; closer to the end, a template is safer
RATE_LIMITS = {4, 613, 80007, 130429, 131056}  # app, WABA, throughput and pair rate limits
RATE_DELAY = {131056: 6.0, 130429: 2.0}  # first delay per code (the pair limit is about one message per 6 s)
RATE_DELAY_OTHER = 60.0  # app and account limits last longer
RATE_DELAY_MAX = 900.0
TRANSIENT = {1, 2, 131000, 131016}  # "unknown error", "service temporarily unavailable", ...
REENGAGE = 131047
PDF = "application/pdf"


def mask_number(wa_id: str) -> str:
    """A phone number for logs: 62812****7890."""
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    return digits[:5] + "****" + digits[-4:] if len(digits) > 9 else "****"


class WhatsAppDelivery:
    def __init__(self, client: WhatsAppClient, sessions: async_sessionmaker[AsyncSession],
                 settings: WhatsAppSettings, letters_dir: Path, clock: Clock) -> None:
        self.client = client
        self.sessions = sessions
        self.settings = settings
        self.letters_dir = letters_dir
        self.clock = clock
        self._strikes: dict[str, int] = {}  # chat -> rate limits hit in a row (pacing only; lost on restart)

    async def __call__(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        if not isinstance(message, TextOut | AskFileOut | DocumentOut):
            raise PermanentFailure("WhatsApp tidak melayani moderasi")
        to = row.chat_id
        try:
            result = await self._deliver(to, message)
        except GraphError as e:
            failure = self._failure(to, e)
            if failure is e:
                raise
            raise failure from e
        self._strikes.pop(to, None)
        return result

    async def window_open(self, wa_id: str) -> bool:
        """Whether the resident wrote within the last 24 hours (less a margin), by the inbox."""
        async with self.sessions() as session:
            last = await session.scalar(select(func.max(InboundUpdate.received_at)).where(
                InboundUpdate.channel == CHANNEL, InboundUpdate.chat_key == wa_id))
        return last is not None and self.clock() - last < WINDOW - WINDOW_MARGIN

    async def _deliver(self, to: str, message: TextOut | AskFileOut | DocumentOut) -> dict[str, Any]:
        document = None
        if isinstance(message, DocumentOut):
            media_id = await self.client.upload_media(self._pdf(message), PDF, message.filename)
            document = (media_id, message.filename)
        optional = not isinstance(message, DocumentOut) and message.optional
        if await self.window_open(to):
            try:
                return await self._free_form(to, message, document)
            except GraphError as e:
                if e.code != REENGAGE:
                    raise
                log.info("whatsapp %s: the window has closed (131047); sending a template", mask_number(to))
        if optional:  # e.g. the satisfaction survey: not worth a paid template message
            log.info("whatsapp %s: an optional message dropped outside the 24-hour window", mask_number(to))
            return {"skipped": "outside the 24-hour window"}
        return await self._template(to, message, document)

    async def _free_form(self, to: str, message: TextOut | AskFileOut | DocumentOut,
                         document: tuple[str, str] | None) -> dict[str, Any]:
        if isinstance(message, DocumentOut):
            if document is None:  # cannot happen: _deliver uploads every document first
                raise PermanentFailure("dokumen belum diunggah")
            return {"message_id": await self.client.send(to, document_message(*document, message.caption))}
        wamid = ""
        for part in prompt_messages(message.text, message.choices, message.style):
            wamid = await self.client.send(to, part)
        return {"message_id": wamid}

    async def _template(self, to: str, message: TextOut | AskFileOut | DocumentOut,
                        document: tuple[str, str] | None) -> dict[str, Any]:
        spec = template_for(message.notice, with_document=document is not None)
        text = (message.caption or message.filename) if isinstance(message, DocumentOut) else message.text
        body = template_message(spec, self.settings, message.notice, text, document)
        name = spec.name(self.settings)
        return {"message_id": await self.client.send(to, body), "template": name}

    def _pdf(self, message: DocumentOut) -> bytes:
        path = self.letters_dir / message.path
        try:
            return path.read_bytes()
        except FileNotFoundError as e:
            raise PermanentFailure(f"berkas surat {message.filename} tidak ditemukan") from e

    def _failure(self, to: str, e: GraphError) -> Exception:
        """What the OutboxSender should do about a Graph API error."""
        if e.code in RATE_LIMITS:
            strikes = self._strikes.get(to, 0)
            self._strikes[to] = strikes + 1
            if len(self._strikes) > 10_000:
                self._strikes.clear()
            delay = min(RATE_DELAY_MAX, RATE_DELAY.get(e.code, RATE_DELAY_OTHER) * 2.0 ** min(strikes, 10))
            return RetryLater(delay, f"WhatsApp rate limit: {e}", count_attempt=False, code=error_code(e))
        if e.status >= 500 or e.code in TRANSIENT:
            return e  # retried by the OutboxSender with backoff
        # Invalid recipient (131026, 131030), unsupported or refused message (131051, 131052, 131053, 100),
        # token (190), permission (10, 200), template errors (132xxx), HTTP 401/403 and every other refusal.
        # The OutboxSender logs the reason and stores it with the row: the number is masked in it.
        return PermanentFailure(f"WhatsApp menolak pesan ke {mask_number(to)}: {e}", code=error_code(e))
