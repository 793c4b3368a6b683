"""A stored WhatsApp message (db/inbox.py, written by bot/whatsapp/webhook.py) handled by the inbox worker:
turned into the engine's inbound message and fed to the conversation service.

Text is text (the engine recognises "batal", "/status", "data saya"... itself); a reply button or a
list row is the choice of its id; a template's quick-reply button, a sticker, a voice note, a
location, a reaction or anything else gets the current question again (an empty text). Images and
documents are fetched by media id (the URL, then the download with the bearer token) and handed to
the upload intake, which checks and stores them. A download that fails for a while (Graph API 5xx
or rate limits, the network) raises, so the inbox retries the message with backoff; a media id the
API refuses for good is a file the resident is told is unusable. Phone numbers and texts are never
logged.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import flows
from bot.inbox_worker import Handle, Unparseable
from bot.whatsapp.client import GraphError, WhatsAppClient
from bot.whatsapp.webhook import CHANNEL
from conversation.service import ConversationService
from db.health import reason
from db.models import InboundUpdate

log = logging.getLogger("esurat.whatsapp")
MEDIA = {"image": True, "document": False}  # message type -> is a photo
RATE_LIMITS = frozenset({4, 80007, 130429, 131056})  # Graph API codes: retry later
ASK_AGAIN = flows.Text(text="")


class Intake(Protocol):
    """The upload intake (conversation/intake.py `UploadIntake`)."""

    @property
    def max_bytes(self) -> int: ...

    async def receive(self, data: bytes | None, *, size: int, filename: str | None, declared_type: str,
                      is_photo: bool) -> flows.FileReceived: ...


def transient(error: GraphError) -> bool:
    """Whether the Graph API may answer otherwise later (server errors, rate limits, a bad token)."""
    return error.status >= 500 or error.status in (401, 429) or error.code in RATE_LIMITS or error.code == 190


class InboundMessages:
    def __init__(self, conversation: ConversationService, client: WhatsAppClient, intake: Intake) -> None:
        self.conversation, self.client, self.intake = conversation, client, intake

    async def handle(self, row: InboundUpdate) -> None:
        """The inbox worker's `handle`: one stored message through the engine."""
        message = row.payload.get("message") if isinstance(row.payload, dict) else None
        if not isinstance(message, dict) or not isinstance(message.get("from"), str):
            raise Unparseable("not a stored WhatsApp message")
        name = row.payload.get("profile_name")
        inbound = await self.inbound(message, row.update_id)
        await self.conversation.handle(CHANNEL, message["from"], inbound, update_id=row.update_id,
                                       display_name=name if isinstance(name, str) else "")

    async def inbound(self, message: dict[str, Any], key: str) -> flows.Inbound:
        kind = message.get("type")
        content = message.get(kind) if isinstance(kind, str) else None
        if not isinstance(content, dict):
            return ASK_AGAIN  # "unsupported", or a message without its content
        if kind == "text":
            body = content.get("body")
            return flows.Text(text=body) if isinstance(body, str) else ASK_AGAIN
        if kind == "interactive":
            reply = content.get(content.get("type")) if content.get("type") in ("button_reply", "list_reply") else None
            if isinstance(reply, dict) and isinstance(reply.get("id"), str):
                return flows.ChoiceMade(value=reply["id"])
            return ASK_AGAIN
        if kind in MEDIA:
            return await self.file(content, is_photo=MEDIA[kind], key=key)
        return ASK_AGAIN  # a template's quick reply ("button"), sticker, audio, location, reaction, ...

    async def file(self, media: dict[str, Any], *, is_photo: bool, key: str) -> flows.FileReceived:
        declared = media.get("mime_type") if isinstance(media.get("mime_type"), str) else None
        declared = (declared or ("image/jpeg" if is_photo else "application/octet-stream")).split(";")[0].strip()
        filename = media.get("filename") if isinstance(media.get("filename"), str) else None
        media_id = media.get("id")
        limit = self.intake.max_bytes
        data: bytes | None = None
        size = 0
        try:
            if not isinstance(media_id, str) or not media_id:
                raise GraphError(400, None, None, "message without a media id")
            info = await self.client.media_info(media_id)
            size = info.file_size or 0
            if size <= limit:
                data = await self.client.download(info.url, max_bytes=limit)
                if data is None:  # longer than the size announced
                    size = max(size, limit + 1)
        except GraphError as e:
            if transient(e):
                raise
            log.info("whatsapp message %s: media refused by the Graph API (%s)", key, e)
        return await self.intake.receive(data, size=size, filename=filename, declared_type=declared,
                                         is_photo=is_photo)


def handler(conversation: ConversationService, client: WhatsAppClient, intake: Intake) -> Handle:
    return InboundMessages(conversation, client, intake).handle


def describe(error: BaseException) -> str:
    """An error as stored in the inbox and logged: class names, and the Graph API's code and title."""
    if isinstance(error, GraphError):
        return str(error)[:300]
    return reason(error)
