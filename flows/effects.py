"""What the engine asks the runner to do. Replies are checked against what every channel can show.

Limits (WhatsApp is the tightest): at most 3 buttons or 10 list rows, titles of at most 20
characters, values of at most 48 bytes (Telegram callback data is 64, with room for a prefix), text of at most 4096
characters, or 1024 with choices; every choice listed in the text as "N. ..." so that typing
its number works everywhere.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_BUTTONS = 3
MAX_ROWS = 10
MAX_TITLE = 20
MAX_VALUE_BYTES = 48  # Telegram callback data is 64 bytes; room is left for an adapter's prefix
MAX_TEXT = 4096
MAX_TEXT_WITH_CHOICES = 1024


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Choice(_Out):
    value: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=MAX_TITLE)

    @model_validator(mode="after")
    def _value_fits(self) -> Self:
        if len(self.value.encode()) > MAX_VALUE_BYTES:
            raise ValueError(f"choice value longer than {MAX_VALUE_BYTES} bytes: {self.value!r}")
        return self


class _Prompt(_Out):
    text: str = Field(min_length=1)
    choices: list[Choice] = []
    style: Literal["buttons", "list"] = "buttons"

    @model_validator(mode="after")
    def _fits_every_channel(self) -> Self:
        n = len(self.choices)
        if n > (MAX_BUTTONS if self.style == "buttons" else MAX_ROWS):
            raise ValueError(f"{n} choices do not fit a {self.style} message")
        if len(self.text) > (MAX_TEXT_WITH_CHOICES if n else MAX_TEXT):
            raise ValueError(f"text of {len(self.text)} characters is too long")
        if len({c.value for c in self.choices}) != n:
            raise ValueError("choice values must be unique")
        heads = (line.partition(". ") for line in self.text.splitlines())
        listed = {head for head, dot, _ in heads if dot}  # "3" for a line "3. ..."
        for i in range(1, n + 1):
            if str(i) not in listed:
                raise ValueError(f"choice {i} is not listed in the text as '{i}. ...'")
        return self


class Reply(_Prompt):
    kind: Literal["reply"] = "reply"


class AskFile(_Prompt):
    """Ask for a photo or document of `attachment_kind` (KTP, KK, surat pengantar, ...)."""

    kind: Literal["ask_file"] = "ask_file"
    attachment_kind: str


class SubmitRequest(_Out):
    """File the request (or, with `revision_of`, its corrected version). Group rows are lists in `fields`."""

    kind: Literal["submit"] = "submit"
    kelurahan_slug: str
    letter_type: str
    fields: dict[str, Any]
    attachments: dict[str, str]
    revision_of: int | None = None


class CancelRequest(_Out):
    """Discard the draft; with `request_id`, also withdraw that (revision-pending) request."""

    kind: Literal["cancel"] = "cancel"
    request_id: int | None = None


class SaveProfile(_Out):
    kind: Literal["save_profile"] = "save_profile"
    profile: dict[str, str]


class ShowStatus(_Out):
    kind: Literal["show_status"] = "show_status"


class RecordConsent(_Out):
    """The resident agreed to the processing of their personal data (UU 27/2022): record when."""

    kind: Literal["record_consent"] = "record_consent"


class ShowPersonalData(_Out):
    """`data saya`: tell the resident what is stored about them (`draft_title`: a request being filled in)."""

    kind: Literal["show_personal_data"] = "show_personal_data"
    draft_title: str | None = None


class ErasePersonalData(_Out):
    """`hapus data saya`, confirmed: delete the profile and the uploads of finished requests and of the
    drafts discarded (`draft_files`: their attachment refs), keep issued letters and requests under way,
    and tell the resident what was deleted and what was kept."""

    kind: Literal["erase_personal_data"] = "erase_personal_data"
    draft_files: list[str] = []


class BookVisit(_Out):
    """Book the visit slot starting at `start` for `letter_type` at the kelurahan; the runner checks the
    capacity in its transaction and answers with the booking code (or, when the slot is full, feeds the
    engine a `VisitUnavailable`)."""

    kind: Literal["book_visit"] = "book_visit"
    kelurahan_slug: str
    letter_type: str
    start: datetime


class CancelVisit(_Out):
    """`batal kunjungan`, confirmed: cancel the booking `code` (its slot is freed)."""

    kind: Literal["cancel_visit"] = "cancel_visit"
    code: str


class RecordSurvey(_Out):
    """Store the resident's answers to the satisfaction survey (SKM) about request `request_id`, once per
    request (a second one is ignored). `answers`: element (u1..u9) -> score 1..4, the elements answered."""

    kind: Literal["record_survey"] = "record_survey"
    request_id: int
    answers: dict[str, int]
    comment: str | None = None

    @model_validator(mode="after")
    def _on_the_scale(self) -> Self:
        if any(not re.fullmatch(r"u[1-9]", k) or not 1 <= v <= 4 for k, v in self.answers.items()):
            raise ValueError(f"survey answers off the 1-4 scale of u1..u9: {self.answers}")
        return self


class VerifyDocument(_Out):
    """A file sent with no request under way: check the letter it shows (its e-Surat QR code) and tell the
    verdict, as the verification page would; the stored file `file_ref` is deleted after the check."""

    kind: Literal["verify_document"] = "verify_document"
    file_ref: str


Effect = Annotated[
    Reply | AskFile | SubmitRequest | CancelRequest | SaveProfile | ShowStatus | RecordConsent | ShowPersonalData
    | ErasePersonalData | BookVisit | CancelVisit | RecordSurvey | VerifyDocument,
    Field(discriminator="kind"),
]
