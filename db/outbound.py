"""The outbound vocabulary: everything the service says, channel-neutral, as typed messages.

Domain code (`conversation/`, `lifecycle/`, `moderation/`) writes these to the outbox (`db.outbox.enqueue`)
in the transaction of the change that causes them; each channel parses a row back (`parse_outbound`) and
renders it in its own way (Telegram keyboards, WhatsApp buttons, lists or templates, the web chat's JSON).

A message that announces a decision about a request carries a `Notice`: what happened, to which request,
and its details, so that a channel that cannot send free text at that moment (WhatsApp outside the
24-hour customer-service window) can send a registered template with the same content instead.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from flows.effects import Choice

NoticeEvent = Literal["submit", "approve", "reject", "request_revision", "cancel", "revoke", "issue"]


class _Msg(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Notice(_Msg):
    """What a message announces about a request (the parameters of a template that says the same)."""

    event: NoticeEvent
    code: str  # the request code shown to the resident, e.g. BT-2026-00017
    title: str  # the letter type's title
    number: str = ""  # the letter number, once approved
    detail: str = ""  # the rejection or revocation reason, the correction note


class _Said(_Msg):
    """Text, optionally with choices (buttons up to 3, a list up to 10; every choice is also numbered in the text)."""

    text: str
    choices: list[Choice] = []
    style: Literal["buttons", "list"] = "buttons"
    notice: Notice | None = None
    # Worth sending only where it costs nothing more (the satisfaction survey): a channel that could send it
    # now only as a paid template (WhatsApp outside the 24-hour window) drops it instead.
    optional: bool = False


class TextOut(_Said):
    type: Literal["text"] = "text"


class AskFileOut(_Said):
    """A question that asks for a photo or a document (KTP, KK, ...)."""

    type: Literal["ask_file"] = "ask_file"
    attachment_kind: str


class DocumentOut(_Msg):
    """An issued letter: the PDF at `path` (relative to the letters directory)."""

    type: Literal["document"] = "document"
    letter_id: int
    path: str
    filename: str
    caption: str = ""
    notice: Notice | None = None


class ModerationCardOut(_Msg):
    """A new request's card in a kelurahan's moderation chat (`post_id`: its ModerationPost row)."""

    type: Literal["moderation_card"] = "moderation_card"
    request_id: int
    post_id: int


class CardUpdateOut(_Msg):
    """A posted card brought up to date after a decision (edited in place where the channel can)."""

    type: Literal["card_update"] = "card_update"
    request_id: int
    post_id: int
    event: str


class StaffPromptOut(_Msg):
    """A question to a staff member (a rejection reason, a correction note), answered by replying to it."""

    type: Literal["prompt"] = "prompt"
    text: str
    prompt_id: int


Outbound = Annotated[
    TextOut | AskFileOut | DocumentOut | ModerationCardOut | CardUpdateOut | StaffPromptOut,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Outbound] = TypeAdapter(Outbound)


def parse_outbound(payload: dict[str, Any]) -> Outbound:
    """An outbox row's payload as a typed message (raises pydantic.ValidationError on a malformed one)."""
    return _ADAPTER.validate_python(payload)


def dump_outbound(message: Outbound) -> dict[str, Any]:
    """The JSON an outbox row stores for `message`."""
    data: dict[str, Any] = message.model_dump(mode="json")
    return data
