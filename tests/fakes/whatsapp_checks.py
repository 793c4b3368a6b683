"""What the Cloud API accepts in POST /{phone-number-id}/messages: pure checks that raise GraphError.

Shape problems (missing, malformed, over-long parameters, unknown type) are (#100) Invalid parameter; values an
interactive message may not have (4+ reply buttons, 11+ list rows, long titles) are (#131009) Parameter value is
not valid, with the Cloud API's details text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.whatsapp_errors import GraphError, bad_value, invalid
from tests.fakes.whatsapp_model import normalize_number

TEXT_MAX = 4096
CAPTION_MAX = 1024
BUTTON_BODY_MAX = 1024
LIST_BODY_MAX = 4096
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
LIST_ROWS_MAX = 10
LIST_SECTIONS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
SECTION_TITLE_MAX = 24

MESSAGE_TYPES = ("text", "interactive", "image", "document", "template", "audio", "video", "sticker", "location",
                 "reaction")
MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})


def recipient(body: dict[str, Any]) -> str:
    """The recipient's wa_id (the number normalised to digits)."""
    to = body.get("to")
    if not isinstance(to, str) or not to.strip():
        raise invalid("The parameter to is required.")
    wa_id = normalize_number(to)
    if any(ch.isalpha() for ch in to) or not 8 <= len(wa_id) <= 15:
        raise invalid(f"Param to must be a valid phone number, got {to!r}.")
    return wa_id


def message_type(body: dict[str, Any]) -> str:
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required.")
    if body.get("recipient_type", "individual") != "individual":
        raise invalid("Param recipient_type must be INDIVIDUAL.")
    kind = body.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise invalid(f"Param type must be one of {{{', '.join(t.upper() for t in MESSAGE_TYPES)}}} - got {kind!r}.")
    if not isinstance(body.get(kind), dict):
        raise invalid(f"The parameter {kind} is required.")
    return str(kind)


def _length(value: Any, what: str, low: int, high: int,
            error: Callable[[str], GraphError] = bad_value) -> str:
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise error(f"{what} length invalid. Min length: {low}, Max length: {high}")
    return value


def check_text(obj: dict[str, Any]) -> None:
    text = obj.get("body")
    if not isinstance(text, str) or not text.strip():
        raise invalid("Param text['body'] must be at least 1 character long.")
    if len(text) > TEXT_MAX:
        raise invalid(f"Param text['body'] must be at most {TEXT_MAX} characters long.")


def check_interactive(obj: dict[str, Any]) -> None:
    kind = obj.get("type")
    if kind not in ("button", "list"):
        raise invalid(f"Param interactive['type'] must be one of {{BUTTON, LIST}} - got {kind!r}.")
    _length((obj.get("body") or {}).get("text"), "Body text", 1, BUTTON_BODY_MAX if kind == "button" else LIST_BODY_MAX)
    header = obj.get("header")
    if header is not None:
        header_type = header.get("type") if isinstance(header, dict) else None
        if header_type == "text":
            _length(header.get("text"), "Header text", 1, HEADER_TEXT_MAX)
        elif kind == "list" or header_type not in ("image", "video", "document"):
            raise bad_value(f"Header type {header_type!r} is not valid for a {kind} message")
    footer = obj.get("footer")
    if footer is not None:
        _length(footer.get("text") if isinstance(footer, dict) else None, "Footer text", 1, FOOTER_MAX)
    action = obj.get("action")
    if not isinstance(action, dict):
        raise invalid("The parameter interactive['action'] is required.")
    if kind == "button":
        _check_buttons(action)
    else:
        _check_list(action)


def _check_buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= BUTTONS_MAX:
        raise bad_value(f"Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: {BUTTONS_MAX}")
    ids: set[str] = set()
    titles: set[str] = set()
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) and button.get("type") == "reply" else None
        if not isinstance(reply, dict):
            raise invalid("Param interactive['action']['buttons'][]['type'] must be REPLY, with a reply object.")
        button_id = _length(reply.get("id"), "Button id", 1, BUTTON_ID_MAX)
        title = _length(reply.get("title"), "Button title", 1, BUTTON_TITLE_MAX)
        if button_id in ids or title in titles:
            raise bad_value("Button ids and titles must be unique within the message")
        ids.add(button_id)
        titles.add(title)


def _check_list(action: dict[str, Any]) -> None:
    _length(action.get("button"), "Button label", 1, LIST_BUTTON_MAX)
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= LIST_SECTIONS_MAX:
        raise bad_value(f"Invalid sections count. Min allowed sections: 1, Max allowed sections: {LIST_SECTIONS_MAX}")
    rows: list[dict[str, Any]] = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list) or not section["rows"]:
            raise bad_value("Each section must have at least one row")
        if len(sections) > 1 or "title" in section:
            _length(section.get("title"), "Section title", 1, SECTION_TITLE_MAX)
        rows.extend(section["rows"])
    if len(rows) > LIST_ROWS_MAX:
        raise bad_value(f"Total row count exceed max allowed count: {LIST_ROWS_MAX}")
    ids: set[str] = set()
    for row in rows:
        if not isinstance(row, dict):
            raise invalid("Param interactive['action']['sections'][]['rows'][] must be an object.")
        row_id = _length(row.get("id"), "Row id", 1, ROW_ID_MAX)
        _length(row.get("title"), "Row title", 1, ROW_TITLE_MAX)
        if "description" in row:
            _length(row["description"], "Row description", 0, ROW_DESCRIPTION_MAX)
        if row_id in ids:
            raise bad_value("Row ids must be unique within the message")
        ids.add(row_id)


def check_media(kind: str, obj: dict[str, Any]) -> None:
    if ("id" in obj) == ("link" in obj):
        raise invalid(f"Param {kind} must have exactly one of id or link.")
    if "link" in obj and not str(obj["link"]).startswith(("http://", "https://")):
        raise invalid(f"Param {kind}['link'] is not a valid URI.")
    caption = obj.get("caption")
    if caption is not None and (kind in ("audio", "sticker") or not isinstance(caption, str)):
        raise invalid(f"Param {kind}['caption'] is not valid for {kind}.")
    if isinstance(caption, str) and len(caption) > CAPTION_MAX:
        raise invalid(f"Param {kind}['caption'] must be at most {CAPTION_MAX} characters long.")
    if "filename" in obj and (kind != "document" or not isinstance(obj["filename"], str)):
        raise invalid(f"Param {kind}['filename'] is not valid.")


def check_template(obj: dict[str, Any]) -> tuple[str, str, list[str], list[dict[str, Any]]]:
    """Name, language code, the body's text parameters and the components of a template message."""
    name = obj.get("name")
    language = obj.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(name, str) or not name:
        raise invalid("The parameter template['name'] is required.")
    if not isinstance(code, str) or not code:
        raise invalid("The parameter template['language']['code'] is required.")
    components = obj.get("components", [])
    if not isinstance(components, list):
        raise invalid("Param template['components'] must be an array.")
    params: list[str] = []
    for component in components:
        if not isinstance(component, dict) or component.get("type") not in ("header", "body", "button", "footer"):
            raise invalid("Param template['components'][]['type'] must be one of {HEADER, BODY, BUTTON, FOOTER}.")
        for param in component.get("parameters", []) if component["type"] == "body" else []:
            if not isinstance(param, dict) or param.get("type") != "text" or not isinstance(param.get("text"), str):
                raise GraphError(132012, "Body parameters must be {\"type\": \"text\", \"text\": ...} in this fake.")
            params.append(param["text"])
    return name, code, params, components


def check_content(kind: str, obj: dict[str, Any]) -> None:
    """Everything but templates (checked against the registry by the caller)."""
    if kind == "text":
        check_text(obj)
    elif kind == "interactive":
        check_interactive(obj)
    elif kind in MEDIA_TYPES:
        check_media(kind, obj)
    elif kind == "location" and not all(isinstance(obj.get(k), int | float) for k in ("latitude", "longitude")):
        raise invalid("Params location['latitude'] and location['longitude'] are required.")
    elif kind == "reaction" and not isinstance(obj.get("message_id"), str):
        raise invalid("The parameter reaction['message_id'] is required.")
