"""Webhooks as the WhatsApp Cloud API sends them: payload builders, signing and posting. No fake state here.

    payload = wa.user_sends_text("6281234567890", "halo")  # FakeWhatsApp builds it and opens the 24 h window
    response = await post_webhook(f"{app_url}/webhooks/whatsapp", payload, APP_SECRET)
    response = await post_webhook(url, payload, APP_SECRET, signing="wrong")  # must be refused, nothing processed

Bodies are encoded like Meta's (ASCII-only JSON, "/" escaped as "\\/"), so an app that re-serialises the parsed
JSON instead of checking the signature over the raw bytes fails on non-ASCII text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from tests.fakes.whatsapp_errors import ERRORS, CodeInfo

Signing = Literal["valid", "wrong", "tampered", "malformed", "none"]
STATUSES = ("sent", "delivered", "read", "failed")


@dataclass(frozen=True)
class Business:
    """The business phone number whose webhooks these are."""

    phone_number_id: str
    display_phone_number: str
    waba_id: str

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": self.display_phone_number,
                              "phone_number_id": self.phone_number_id}, **value}
        return {"object": "whatsapp_business_account",
                "entry": [{"id": self.waba_id, "changes": [{"value": value, "field": "messages"}]}]}

    def messages(self, wa_id: str, name: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """A `messages` webhook: inbound messages of one user (contacts carry the profile name)."""
        return self.envelope({"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": messages})

    def statuses(self, statuses: list[dict[str, Any]]) -> dict[str, Any]:
        return self.envelope({"statuses": statuses})


def inbound_message(wa_id: str, kind: str, content: dict[str, Any] | None, *, wamid: str, timestamp: float,
                    context: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of value.messages, e.g. inbound_message(wa_id, "text", {"body": "halo"}, ...)."""
    message: dict[str, Any] = {"from": wa_id, "id": wamid, "timestamp": str(int(timestamp)), "type": kind}
    if context is not None:
        message["context"] = context
    if kind == "unsupported":
        message["errors"] = [error_entry(131051, "Message type is currently not supported.")]
    elif content is not None:
        message[kind] = content
    return message


def error_entry(code: int, details: str | None = None) -> dict[str, Any]:
    """An error as webhooks carry it (in statuses[].errors and messages[].errors)."""
    info = ERRORS.get(code, CodeInfo(400, "Error", ""))
    return {"code": code, "title": info.title, "message": info.title,
            "error_data": {"details": details or info.details},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}


def status_entry(wamid: str, status: str, recipient_id: str, *, timestamp: float,
                 error_code: int | None = None) -> dict[str, Any]:
    """One entry of value.statuses: sent, delivered, read, or failed (with error_code)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(timestamp)),
                             "recipient_id": recipient_id}
    if status == "failed":
        entry["errors"] = [error_entry(error_code or 131000)]
    else:
        entry["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    return entry


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def signature(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value: "sha256=" + hex HMAC-SHA256 of the raw body keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed_request(payload: dict[str, Any] | bytes, app_secret: str,
                   signing: Signing = "valid") -> tuple[bytes, dict[str, str]]:
    """The exact body and headers Meta would post; `signing` other than "valid" breaks the signature:
    "wrong" (another secret), "tampered" (body changed after signing), "malformed" (no "sha256=" prefix) or
    "none" (no signature headers)."""
    body = payload if isinstance(payload, bytes) else encode(payload)
    headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
    if signing == "none":
        return body, headers
    signed = signature(body, app_secret if signing != "wrong" else app_secret + "-not")
    if signing == "malformed":
        signed = signed.removeprefix("sha256=")
    headers["X-Hub-Signature-256"] = signed
    headers["X-Hub-Signature"] = "sha1=" + hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest()
    if signing == "tampered":
        body = body.replace(b'"', b' "', 1)  # same JSON meaning, different bytes
    return body, headers


async def post_webhook(url: str, payload: dict[str, Any] | bytes, app_secret: str, *, signing: Signing = "valid",
                       client: httpx.AsyncClient | None = None) -> httpx.Response:
    """POST the payload to the app's webhook as Meta does (pass `client` for an in-process ASGI transport)."""
    body, headers = signed_request(payload, app_secret, signing)
    if client is not None:
        return await client.post(url, content=body, headers=headers)
    async with httpx.AsyncClient(timeout=10.0) as own:
        return await own.post(url, content=body, headers=headers)


async def verify_subscription(url: str, verify_token: str, challenge: str = "1158201444", *,
                              mode: str = "subscribe", client: httpx.AsyncClient | None = None) -> httpx.Response:
    """The verification request Meta sends when the webhook is configured: GET ?hub.mode&hub.verify_token&
    hub.challenge; the app must answer 200 with the challenge as plain text, 403 on a wrong token."""
    params = {"hub.mode": mode, "hub.verify_token": verify_token, "hub.challenge": challenge}
    if client is not None:
        return await client.get(url, params=params)
    async with httpx.AsyncClient(timeout=10.0) as own:
        return await own.get(url, params=params)
