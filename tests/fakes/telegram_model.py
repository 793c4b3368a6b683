"""Records, errors and request decoding shared by the fake Telegram Bot API server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypedDict

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX = 64
CALLBACK_ANSWER_MAX = 200
UPLOAD_MAX = 50 * 1024 * 1024
DOWNLOAD_MAX = 20 * 1024 * 1024

# Fields that aiogram (and the Bot API) pass as plain strings: never JSON-decode them ("123" stays "123").
STRING_FIELDS = frozenset(
    "text caption parse_mode callback_query_id url secret_token file_id inline_message_id business_connection_id "
    "message_effect_id title description short_description name language_code ip_address photo document video "
    "audio animation voice sticker thumbnail emoji question address first_name last_name phone_number vcard "
    "custom_title invite_link data query_id game_short_name".split()
)
# Fields whose value is JSON (a string in multipart/urlencoded bodies).
JSON_FIELDS = frozenset(
    "reply_markup media commands entities caption_entities allowed_updates link_preview_options reply_parameters "
    "scope results options permissions".split()
)
# Sends that count towards Telegram's per-chat message limits.
COUNTED_SENDS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"})

ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """Raised by a method handler; becomes {"ok": false, ...} with this status."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Call:
    """One HTTP call to a Bot API method, recorded after it was answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    status: int = 200
    result: Any = None
    filenames: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Upload:
    name: str
    filename: str
    data: bytes
    content_type: str


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None

    def as_file(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data),
                "file_path": self.file_path}


@dataclass
class SentFile:
    """A document or photo the bot sent: the bytes as Telegram stored them and the resulting Message."""

    filename: str | None
    data: bytes
    caption: str | None
    message: dict[str, Any]
    mime_type: str | None = None
    kind: str = "document"
    file_id: str = ""

    @property
    def chat_id(self) -> int:
        chat_id: int = self.message["chat"]["id"]
        return chat_id


@dataclass
class QueuedUpdate:
    update: dict[str, Any]
    redelivery: bool = False
    returned: bool = False

    @property
    def update_id(self) -> int:
        update_id: int = self.update["update_id"]
        return update_id


class CallbackRecord(TypedDict):
    """A callback_query a simulated user sent, and the bot's answerCallbackQuery params once it answered."""

    query: dict[str, Any]
    queued_at: float
    answer: dict[str, Any] | None
    answered_at: float | None


@dataclass
class Fault:
    method: str  # lower-case method name
    status: int
    retry_after: int | None
    remaining: int
    description: str | None
    chat_id: int | str | None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return (self.remaining > 0 and self.method == method.lower()
                and (self.chat_id is None or params.get("chat_id") == self.chat_id))

    def error(self) -> ApiError:
        if self.status == 429:
            retry = self.retry_after or 1
            desc = self.description or f"Too Many Requests: retry after {retry}"
            return ApiError(429, desc, {"retry_after": retry})
        return ApiError(self.status, self.description or ERROR_DESCRIPTIONS.get(self.status, "Error"))


def decode_value(key: str, value: Any) -> Any:
    """Decode one form field as the Bot API would: JSON for structured fields and numbers, strings kept."""
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if key in JSON_FIELDS or not isinstance(decoded, str):
        return decoded
    return value


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: decode_value(key, value) for key, value in raw.items()}


class _TelegramHtml(HTMLParser):
    """Telegram's HTML parse mode: a fixed set of tags, properly nested; produces the text the user sees."""

    ALLOWED = frozenset("b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render_text(text: str, parse_mode: str | None) -> str:
    """The text as Telegram stores it: HTML validated and stripped of markup; other modes kept verbatim."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.parts)


def check_markup(markup: Any) -> None:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" must be an Array of Array")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't find field \"text\"")
        if len(button) < 2:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_MAX:
            raise bad_request("BUTTON_DATA_INVALID")


def max_in_window(times: list[float], window_s: float) -> int:
    """The largest number of timestamps inside any half-open window [t, t + window_s)."""
    best, start = 0, 0
    ordered = sorted(times)
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")
