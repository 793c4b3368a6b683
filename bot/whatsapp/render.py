"""Free-form WhatsApp messages of the outbound vocabulary (pure: typed message -> Cloud API message dicts).

A question with choices goes as reply buttons (1-3 choices), a list message (4-10, or style "list") or plain
text (more); the text always numbers the choices, and typed numbers are always accepted, so a message that
would break one of the Cloud API's limits falls back to text rather than be refused. Button and row ids are
the choices' values (the inbound side maps `button_reply.id` / `list_reply.id` back to them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from flows.effects import Choice

TEXT_MAX = 4096
CAPTION_MAX = 1024
INTERACTIVE_BODY_MAX = 1024  # reply buttons allow 1024; list messages more, but 1024 is safe for both
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_ID_MAX = 200
LIST_BUTTON = "Pilih"  # the list's button label (at most 20 characters)

Style = Literal["buttons", "list"]


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends (or spaces) where possible."""
    pieces: list[str] = []
    rest = text.strip() or "-"
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p]


def text_messages(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"body": piece}} for piece in split_text(text)]


def _unique_ids(choices: Sequence[Choice], id_max: int) -> bool:
    values = [c.value for c in choices]
    return len(set(values)) == len(values) and all(1 <= len(v) <= id_max for v in values)


def buttons(text: str, choices: Sequence[Choice]) -> dict[str, Any] | None:
    """Reply buttons, or None when the Cloud API would refuse them."""
    titles = [c.title.strip() for c in choices]
    if (not 1 <= len(choices) <= BUTTONS_MAX or not 1 <= len(text) <= INTERACTIVE_BODY_MAX
            or not all(1 <= len(t) <= BUTTON_TITLE_MAX for t in titles) or len(set(titles)) != len(titles)
            or not _unique_ids(choices, BUTTON_ID_MAX)):
        return None
    return {"type": "interactive", "interactive": {
        "type": "button", "body": {"text": text},
        "action": {"buttons": [{"type": "reply", "reply": {"id": c.value, "title": t}}
                               for c, t in zip(choices, titles, strict=True)]}}}


def choice_list(text: str, choices: Sequence[Choice]) -> dict[str, Any] | None:
    """A list message (one section), or None when the Cloud API would refuse it."""
    titles = [c.title.strip() for c in choices]
    if (not 1 <= len(choices) <= LIST_ROWS_MAX or not 1 <= len(text) <= INTERACTIVE_BODY_MAX
            or not all(1 <= len(t) <= ROW_TITLE_MAX for t in titles) or not _unique_ids(choices, ROW_ID_MAX)):
        return None
    rows = [{"id": c.value, "title": t} for c, t in zip(choices, titles, strict=True)]
    return {"type": "interactive", "interactive": {
        "type": "list", "body": {"text": text},
        "action": {"button": LIST_BUTTON, "sections": [{"rows": rows}]}}}


def prompt_messages(text: str, choices: Sequence[Choice], style: Style = "buttons") -> list[dict[str, Any]]:
    """A question (or plain text): buttons, a list, or text with the choices numbered in it."""
    message = None
    if choices and style == "buttons" and len(choices) <= BUTTONS_MAX:
        message = buttons(text, choices)
    if choices and message is None:
        message = choice_list(text, choices)
    return [message] if message is not None else text_messages(text)


def document_message(media_id: str, filename: str, caption: str) -> dict[str, Any]:
    document: dict[str, Any] = {"id": media_id, "filename": filename}
    caption = caption.strip()
    if caption:
        document["caption"] = caption if len(caption) <= CAPTION_MAX else caption[: CAPTION_MAX - 1] + "…"
    return {"type": "document", "document": document}
