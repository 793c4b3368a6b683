"""Simulated WhatsApp users: helpers that build the webhook payloads their messages cause.

Each `user_sends_*` returns the payload (in the Cloud API's JSON shape) and opens the user's 24-hour window at
the current clock reading; nothing is posted until the test posts it (`post_webhook`).
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from tests.fakes.whatsapp_inspect import InspectMixin
from tests.fakes.whatsapp_model import Media, SentMessage, new_media_id, new_wamid, normalize_number
from tests.fakes.whatsapp_webhooks import Signing, inbound_message, post_webhook, status_entry

WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00fake-sticker"
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"fake-voice-note"


class UsersMixin(InspectMixin):
    def register_media(self, data: bytes, mime_type: str, filename: str | None = None,
                       origin: Literal["business", "user"] = "user") -> Media:
        """Store media under a fresh id (what a user's upload becomes; downloadable through GET /{media-id})."""
        media = Media(new_media_id(), data, mime_type, filename, origin, self.now())
        self.media[media.id] = media
        return media

    def user_sends(self, wa_id: str, kind: str, content: dict[str, Any] | None, *, name: str = "Warga",
                   context: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `messages` webhook payload of one inbound message; opens the user's 24-hour window."""
        wa_id = normalize_number(wa_id)
        now = self.now()
        self.last_inbound[wa_id] = now
        self.profile_names[wa_id] = name
        message = inbound_message(wa_id, kind, content, wamid=new_wamid(), timestamp=now, context=context)
        return self.business.messages(wa_id, name, [message])

    def user_sends_text(self, wa_id: str, text: str, *, name: str = "Warga") -> dict[str, Any]:
        return self.user_sends(wa_id, "text", {"body": text}, name=name)

    def user_sends_image(self, wa_id: str, data: bytes, *, mime_type: str = "image/jpeg", caption: str | None = None,
                         name: str = "Warga") -> dict[str, Any]:
        media = self.register_media(data, mime_type)
        content: dict[str, Any] = {"mime_type": mime_type, "sha256": media.sha256_b64, "id": media.id}
        if caption is not None:
            content["caption"] = caption
        return self.user_sends(wa_id, "image", content, name=name)

    def user_sends_document(self, wa_id: str, data: bytes, filename: str, *, mime_type: str = "application/pdf",
                            caption: str | None = None, name: str = "Warga") -> dict[str, Any]:
        media = self.register_media(data, mime_type, filename)
        content: dict[str, Any] = {"filename": filename, "mime_type": mime_type, "sha256": media.sha256_b64,
                                   "id": media.id}
        if caption is not None:
            content["caption"] = caption
        return self.user_sends(wa_id, "document", content, name=name)

    def user_sends_sticker(self, wa_id: str, data: bytes = WEBP, *, name: str = "Warga") -> dict[str, Any]:
        media = self.register_media(data, "image/webp")
        return self.user_sends(wa_id, "sticker", {"mime_type": "image/webp", "sha256": media.sha256_b64,
                                                  "id": media.id, "animated": False}, name=name)

    def user_sends_audio(self, wa_id: str, data: bytes = OGG, *, voice: bool = True,
                         name: str = "Warga") -> dict[str, Any]:
        media = self.register_media(data, "audio/ogg; codecs=opus")
        return self.user_sends(wa_id, "audio", {"mime_type": "audio/ogg; codecs=opus", "sha256": media.sha256_b64,
                                                "id": media.id, "voice": voice}, name=name)

    def user_sends_location(self, wa_id: str, latitude: float = -2.2096, longitude: float = 113.9135, *,
                            name: str = "Warga") -> dict[str, Any]:
        return self.user_sends(wa_id, "location", {"latitude": latitude, "longitude": longitude}, name=name)

    def user_sends_unsupported(self, wa_id: str, *, name: str = "Warga") -> dict[str, Any]:
        """A message type the Cloud API cannot pass on (type "unsupported" with error 131051)."""
        return self.user_sends(wa_id, "unsupported", None, name=name)

    def _interactive_with(self, wa_id: str, kind: str, title: str) -> tuple[SentMessage, dict[str, Any]]:
        for message in reversed(self.sent_to(wa_id)):
            if message.interactive_type == kind:
                for choice in message.choices:
                    if choice.title == title:
                        reply = {"id": choice.id, "title": choice.title}
                        if choice.description is not None:
                            reply["description"] = choice.description
                        return message, reply
        raise LookupError(f"no {kind} choice {title!r} delivered to {wa_id}; last choices: "
                          f"{[c.title for c in self.last_choices(wa_id)]}")

    def user_presses_button(self, wa_id: str, title: str, *, name: str = "Warga") -> dict[str, Any]:
        """Tap the reply button titled `title` on the latest button message delivered to wa_id."""
        message, reply = self._interactive_with(wa_id, "button", title)
        context = {"from": self.business.display_phone_number, "id": message.wamid}
        return self.user_sends(wa_id, "interactive", {"type": "button_reply", "button_reply": reply}, name=name,
                               context=context)

    def user_picks_row(self, wa_id: str, title: str, *, name: str = "Warga") -> dict[str, Any]:
        """Pick the row titled `title` of the latest list message delivered to wa_id."""
        message, reply = self._interactive_with(wa_id, "list", title)
        context = {"from": self.business.display_phone_number, "id": message.wamid}
        return self.user_sends(wa_id, "interactive", {"type": "list_reply", "list_reply": reply}, name=name,
                               context=context)

    # -- status callbacks --------------------------------------------------------------------------------------

    def status_payload(self, message: SentMessage | str, status: str = "delivered", *,
                       error_code: int | None = None) -> dict[str, Any]:
        """A `statuses` webhook (sent, delivered, read, or failed with error_code) for a message the business sent."""
        sent = message if isinstance(message, SentMessage) else next(m for m in self.sent if m.wamid == message)
        entry = status_entry(sent.wamid, status, sent.to, timestamp=self.now(), error_code=error_code)
        return self.business.statuses([entry])

    def failed_status_payloads(self) -> list[dict[str, Any]]:
        """Failed statuses of accepted but undelivered messages (window_errors="status": 131047), in order."""
        return [self.status_payload(m, "failed", error_code=m.error_code) for m in self.sent if not m.delivered]

    async def post_webhook(self, payload: dict[str, Any] | bytes, *, signing: Signing = "valid",
                           url: str | None = None, client: httpx.AsyncClient | None = None) -> httpx.Response:
        """Post a payload, signed with this fake's app secret, to `url` or the configured webhook_url."""
        target = url or self.webhook_url
        if not target:
            raise ValueError("no webhook url: pass url= or FakeWhatsApp(webhook_url=...)")
        return await post_webhook(target, payload, self.app_secret, signing=signing, client=client)
