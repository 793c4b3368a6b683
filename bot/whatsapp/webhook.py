"""The WhatsApp Cloud API webhook, on the service's FastAPI app.

`GET /webhooks/whatsapp` answers Meta's subscription handshake (`hub.mode=subscribe` and the verify
token: the challenge echoed as plain text; 403 otherwise). `POST /webhooks/whatsapp` takes a body
only when its `X-Hub-Signature-256` is the HMAC-SHA256 of the raw bytes keyed with the app secret
(401 without one, 403 when wrong: nothing is read further), stores every message of every entry in
the inbox (`db.inbox`, one row per message keyed by its id, so a redelivered message is stored once)
in one transaction, and answers 200; 503 while the database is unreachable, so Meta retries.
Status callbacks (sent, delivered, read, failed) are only logged, without the recipient's number.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.untrusted import parse_json, read_body
from config.settings import WhatsAppSettings
from db.health import OutageLog, is_unavailable, reason
from db.inbox import Received
from db.inbox_writer import InboxWriter
from lifecycle.service import Clock

log = logging.getLogger("esurat.whatsapp")
CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"
WEBHOOK_MAX_BYTES = 1024 * 1024  # a webhook carries a few messages of a few kilobytes
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_KEY = 64  # the inbox's update_id and chat_key columns
MAX_CHALLENGE = 200


class NotAWebhook(ValueError):
    """The body is not a WhatsApp Business Account webhook; the message does not quote it."""


def message_key(wamid: str) -> str:
    """The inbox key of a message id: the id itself, or a digest of an id longer than the column."""
    if len(wamid) <= MAX_KEY:
        return wamid
    return "sha256:" + hashlib.sha256(wamid.encode()).hexdigest()[: MAX_KEY - 7]


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise NotAWebhook(f"{what} is not a list")
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAWebhook(f"{what} is not an object")
    return value


def _names(value: dict[str, Any]) -> dict[str, str]:
    """wa_id -> profile name, from the change's contacts."""
    names: dict[str, str] = {}
    for contact in _list(value.get("contacts"), "contacts"):
        contact = _dict(contact, "contact")
        profile = contact.get("profile")
        name = profile.get("name") if isinstance(profile, dict) else None
        if isinstance(contact.get("wa_id"), str) and isinstance(name, str):
            names[contact["wa_id"]] = name[:200]
    return names


def _log_statuses(value: dict[str, Any]) -> None:
    for status in _list(value.get("statuses"), "statuses"):
        status = _dict(status, "status")
        codes = [e.get("code") for e in _list(status.get("errors"), "errors") if isinstance(e, dict)]
        if codes:
            log.warning("whatsapp message %s: %s %s", str(status.get("id"))[:80], status.get("status"), codes)
        else:
            log.debug("whatsapp message %s: %s", str(status.get("id"))[:80], status.get("status"))
    for error in _list(value.get("errors"), "errors"):
        if isinstance(error, dict):
            log.warning("whatsapp webhook error %s: %s", error.get("code"), str(error.get("title"))[:100])


def messages_of(payload: Any, phone_number_id: str = "") -> list[Received]:
    """One inbox item per inbound message of the webhook (of `phone_number_id`, when given); status
    callbacks and other fields are logged or skipped. Raises NotAWebhook for a body of another shape."""
    payload = _dict(payload, "body")
    if payload.get("object") != "whatsapp_business_account":
        raise NotAWebhook("not a whatsapp_business_account webhook")
    items: list[Received] = []
    for entry in _list(payload.get("entry"), "entry"):
        for change in _list(_dict(entry, "entry").get("changes"), "changes"):
            change = _dict(change, "change")
            if change.get("field") != "messages":
                continue
            value = _dict(change.get("value"), "value")
            metadata = value.get("metadata")
            number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if phone_number_id and number is not None and str(number) != phone_number_id:
                log.info("whatsapp webhook for another phone number id skipped")
                continue
            _log_statuses(value)
            names = _names(value)
            for message in _list(value.get("messages"), "messages"):
                message = _dict(message, "message")
                wamid, sender = message.get("id"), message.get("from")
                if not isinstance(wamid, str) or not wamid or not isinstance(sender, str) or not sender:
                    raise NotAWebhook("message without an id or a sender")
                if len(sender) > MAX_KEY:
                    raise NotAWebhook("sender id too long")
                items.append(Received(update_id=message_key(wamid), chat_key=sender,
                                      payload={"message": message, "profile_name": names.get(sender, "")}))
    return items


def signed(body: bytes, header: str, secret: bytes) -> bool:
    """`header` is "sha256=" + the hex HMAC-SHA256 of `body` keyed with `secret` (constant-time compare)."""
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())


def webhook_router(settings: WhatsAppSettings, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                   stored: Callable[[], None]) -> APIRouter:
    """The handshake and the webhook; `stored()` is called after new messages were committed."""
    if settings.app_secret is None or settings.verify_token is None:  # WhatsAppSettings refuses this when enabled
        raise ValueError("WhatsApp memerlukan WHATSAPP_APP_SECRET dan WHATSAPP_VERIFY_TOKEN")
    secret = settings.app_secret.get_secret_value().encode()
    verify_token = settings.verify_token.get_secret_value().encode()
    router = APIRouter()
    outage = OutageLog("whatsapp webhook")
    writer = InboxWriter(sessions, clock)  # webhook calls at the same time share a commit

    @router.get(WEBHOOK_PATH)
    async def whatsapp_handshake(request: Request) -> Response:
        query = request.query_params
        given = (query.get("hub.verify_token") or "").encode()
        challenge = query.get("hub.challenge") or ""
        token_ok = hmac.compare_digest(given, verify_token)
        if query.get("hub.mode") != "subscribe" or not token_ok or not challenge or len(challenge) > MAX_CHALLENGE:
            log.warning("whatsapp webhook: subscription handshake refused")
            return Response(status_code=403)
        return PlainTextResponse(challenge)

    @router.post(WEBHOOK_PATH)
    async def whatsapp_webhook(request: Request) -> Response:
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            return Response(status_code=401)
        body = await read_body(request, WEBHOOK_MAX_BYTES)
        if body is None:
            log.warning("whatsapp webhook: body over %d bytes refused", WEBHOOK_MAX_BYTES)
            return Response(status_code=413)
        if not signed(body, header, secret):
            log.warning("whatsapp webhook: wrong signature (%d bytes); refused", len(body))
            return Response(status_code=403)
        try:
            items = messages_of(parse_json(body), settings.phone_number_id)
        except ValueError as e:  # not JSON (bot.untrusted) or not a webhook: Meta never sends this
            log.warning("whatsapp webhook: body refused (%d bytes): %s", len(body), e)
            return Response(status_code=400)
        if not items:
            return Response(status_code=200)
        try:
            new = await writer.store(CHANNEL, items)
        except Exception as e:  # noqa: BLE001 - answered, never a 500
            if is_unavailable(e):
                outage.failed(e)
                return Response(status_code=503)  # Meta retries later
            log.error("whatsapp webhook: %d messages could not be stored (%s); refused", len(items), reason(e))
            return Response(status_code=400)
        outage.succeeded()
        if new:
            stored()
        return Response(status_code=200)

    return router
