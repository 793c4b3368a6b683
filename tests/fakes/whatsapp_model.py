"""Records of the fake WhatsApp Cloud API server: calls, media, sent messages, templates and faults."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.whatsapp_errors import GraphError

WINDOW_S = 24 * 3600  # the customer-service window
MEDIA_URL_TTL_S = 300  # media URLs from GET /{media-id} are valid for 5 minutes

MB = 1024 * 1024
MEDIA_LIMITS: dict[str, int] = {"image": 5 * MB, "document": 100 * MB, "audio": 16 * MB, "video": 16 * MB,
                                "sticker": 500 * 1024}
MIME_KINDS: dict[str, str] = {
    "image/jpeg": "image", "image/png": "image", "image/webp": "sticker",
    "application/pdf": "document", "text/plain": "document", "application/msword": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.ms-excel": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "document",
    "application/vnd.ms-powerpoint": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
    "audio/aac": "audio", "audio/amr": "audio", "audio/mpeg": "audio", "audio/mp4": "audio", "audio/ogg": "audio",
    "video/mp4": "video", "video/3gpp": "video",
}


@dataclass
class Call:
    """One HTTP call to the fake, recorded after it was answered (status 0: the connection was dropped)."""

    endpoint: str  # messages | media | media_url | media_delete | download | phone_number | unknown
    method: str
    path: str  # without the version, e.g. "/1234567890/messages"
    body: dict[str, Any]  # the JSON body, or the multipart fields (the file part described, its bytes in `files`)
    headers: dict[str, str]  # request headers without Authorization
    at: float
    authorized: bool
    status: int = 200
    response: Any = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def error_code(self) -> int | None:
        if isinstance(self.response, dict) and isinstance(self.response.get("error"), dict):
            code: int = self.response["error"]["code"]
            return code
        return None


@dataclass(frozen=True)
class Upload:
    """The file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str


@dataclass
class Media:
    """Media the business uploaded (`origin="business"`) or a simulated user sent (`origin="user"`)."""

    id: str
    data: bytes
    mime_type: str
    filename: str | None
    origin: Literal["business", "user"]
    created_at: float
    deleted: bool = False

    @property
    def kind(self) -> str:
        return MIME_KINDS.get(self.mime_type.split(";")[0].strip(), "document")

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """As inbound webhooks carry it."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    description: str | None = None


@dataclass
class SentMessage:
    """A message the business sent through POST /{phone-number-id}/messages and the fake accepted."""

    wamid: str
    to: str  # the recipient's wa_id
    type: str
    request: dict[str, Any]
    at: float
    delivered: bool = True  # False when refused asynchronously (a failed status, see window_errors="status")
    media: Media | None = None
    template_text: str | None = None
    call_index: int = 0  # index its call gets in FakeWhatsApp.calls, for `since=wa.mark()`
    error_code: int | None = None  # of the failed status when not delivered

    @property
    def content(self) -> dict[str, Any]:
        value: dict[str, Any] = self.request.get(self.type) or {}
        return value

    @property
    def text(self) -> str:
        """What the user reads: the text body, the interactive body, the caption or the rendered template."""
        if self.type == "text":
            return str(self.content.get("body", ""))
        if self.type == "interactive":
            return str((self.content.get("body") or {}).get("text", ""))
        if self.type == "template":
            return self.template_text or ""
        return str(self.content.get("caption") or "")

    @property
    def interactive_type(self) -> str | None:
        return str(self.content.get("type")) if self.type == "interactive" else None

    @property
    def choices(self) -> list[Choice]:
        """Reply buttons or list rows (in order), empty for other messages."""
        if self.type != "interactive":
            return []
        action = self.content.get("action") or {}
        if self.interactive_type == "button":
            return [Choice(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])]
        return [Choice(r["id"], r["title"], r.get("description")) for s in action.get("sections", [])
                for r in s.get("rows", [])]


@dataclass(frozen=True)
class SentDocument:
    filename: str | None
    caption: str | None
    data: bytes | None  # None when sent by `link` (the fake does not fetch links)
    mime_type: str | None
    media_id: str | None
    link: str | None
    message: SentMessage


@dataclass(frozen=True)
class SentTemplate:
    name: str
    language: str
    params: list[str]  # the body's text parameters, in order
    components: list[dict[str, Any]]
    text: str  # the registered body with the parameters filled in
    message: SentMessage


@dataclass(frozen=True)
class Template:
    """An approved message template: body text with positional {{1}}, {{2}} ... parameters."""

    name: str
    language: str
    body: str

    @property
    def param_count(self) -> int:
        count = 0
        while f"{{{{{count + 1}}}}}" in self.body:
            count += 1
        return count

    def render(self, params: list[str]) -> str:
        text = self.body
        for i, value in enumerate(params, start=1):
            text = text.replace(f"{{{{{i}}}}}", value)
        return text


Drop = Literal["before", "after"]


@dataclass
class Fault:
    """An injected failure for the next `remaining` matching calls: a Graph error, or a dropped connection
    before the call is processed ("before") or after it was processed ("after": a message is sent, the client
    never hears so)."""

    endpoint: str | None  # None: any endpoint
    remaining: int
    error: GraphError | None = None
    drop: Drop | None = None
    to: str | None = None
    when: Callable[[dict[str, Any]], bool] | None = None

    def matches(self, endpoint: str, body: dict[str, Any]) -> bool:
        if self.remaining <= 0 or (self.endpoint is not None and self.endpoint != endpoint):
            return False
        if self.to is not None and normalize_number(str(body.get("to", ""))) != normalize_number(self.to):
            return False
        return self.when is None or self.when(body)


def normalize_number(number: str) -> str:
    """A phone number as a wa_id: digits only ("+62 812-3456" -> "628123456")."""
    return "".join(ch for ch in number if ch.isdigit())


def new_wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18\x12" + secrets.token_bytes(24)).decode()


def new_media_id() -> str:
    return str(10**15 + secrets.randbelow(9 * 10**15))
