"""The conversation state: plain data, JSON round-trippable, stored by the runner between messages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

from flows.copies import copier
from flows.inbound import RevisionRequested

SCHEMA_VERSION = 1
M = TypeVar("M", bound=BaseModel)


class Step(StrEnum):
    IDLE = "idle"  # no conversation under way (start, after submission, cancellation or refusal)
    CONSENT = "consent"  # asked to agree to the processing of personal data (UU PDP)
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    LETTER = "letter"
    REQUIREMENTS = "requirements"  # requirements shown: continue or choose another letter
    PROFILE = "profile"  # "Gunakan data tersimpan?"
    FILL = "fill"  # answering the current question (field, group row, "tambah lagi?", upload)
    SUMMARY = "summary"
    FIX_PICK = "fix_pick"  # choosing what to change
    CONFIRM_CANCEL = "confirm_cancel"
    RESUME = "resume"  # "Lanjutkan permohonan sebelumnya?"
    CONFIRM_ERASE = "confirm_erase"  # "hapus data saya": asked to confirm (UU PDP)
    VISIT_DAY = "visit_day"  # a letter that needs a visit: choosing the day of the visit
    VISIT_SLOT = "visit_slot"  # ... and its time
    VISIT_CANCEL = "visit_cancel"  # "batal kunjungan": which booking to cancel
    SURVEY = "survey"  # a letter was issued: the satisfaction survey (SKM), skippable (flows.survey)


class Draft(BaseModel):
    """A request being put together. Question keys: f:<field>, g:<group>:<i>:<field>, m:<group>
    ("tambah lagi?"), a:<attachment kind>, e:<group> (edit the rows of a group)."""

    kecamatan: str | None = None
    kelurahan_slug: str | None = None
    letter_type: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)  # canonical values; "" = skipped (optional)
    groups: dict[str, list[dict[str, str]]] = Field(default_factory=dict)
    closed: list[str] = Field(default_factory=list)  # groups answered "no more"
    attachments: dict[str, str] = Field(default_factory=dict)  # kind -> file_ref; "" = skipped
    editing: list[str] = Field(default_factory=list)  # questions to (re-)ask before the pending ones
    history: list[str] = Field(default_factory=list)  # questions answered, in order (for "kembali")
    started: bool = False  # requirements seen and accepted
    reviewed: bool = False  # the summary has been shown
    revision_of: int | None = None
    revision_code: str | None = None  # the code of the request under correction (its name for the resident)
    staff_note: str | None = None
    visit_day: str | None = None  # ISO date (WIB) chosen for a visit

    def has_answers(self) -> bool:
        return bool(self.fields or any(self.groups.values()) or self.attachments)


class Survey(BaseModel):
    """The satisfaction survey under way about request `request_id`: the answers so far (element -> 1..4)."""

    request_id: int
    code: str = ""
    answers: dict[str, int] = Field(default_factory=dict)
    at: int = 0  # the element asked (index into `stats.skm.ASKED`); past the last one: the comment
    missed: bool = False  # the last message was not an answer (a second one leaves the survey)


class ConversationState(BaseModel):
    version: int = SCHEMA_VERSION
    step: Step = Step.IDLE
    consent: bool = False
    draft: Draft = Field(default_factory=Draft)
    stash: Draft | None = None  # a draft put aside while the resident corrects a request
    queued: list[RevisionRequested] = Field(default_factory=list)  # corrections waiting their turn
    page: int = 0  # page of a long menu
    survey: Survey | None = None  # set only at Step.SURVEY
    updated_at: datetime | None = None

    @classmethod
    def restore(cls, data: object) -> ConversationState:
        """A stored state, read so that a state written by another version never breaks its chat.

        Unknown keys are dropped. A state that does not validate (an unknown step, a changed
        shape) or of another schema version gives a fresh state at IDLE that keeps what is still
        safe: the resident's consent and, from this schema version, the draft, the stash and the
        corrections waiting that still validate (the next message then offers the draft again).
        """
        if not isinstance(data, dict):
            return cls()
        if data.get("version") == SCHEMA_VERSION:
            try:
                return cls.model_validate(data)
            except ValidationError:
                pass
        fresh = cls(consent=data.get("consent") is True)
        if data.get("version") != SCHEMA_VERSION:
            return fresh
        fresh.draft = _valid(Draft, data.get("draft")) or Draft()
        fresh.stash = _valid(Draft, data.get("stash"))
        queued = data.get("queued")
        rows = queued if isinstance(queued, list) else []
        fresh.queued = [r for r in (_valid(RevisionRequested, q) for q in rows) if r is not None]
        return fresh

    def copied(self) -> ConversationState:
        """A copy sharing nothing mutable with this state (as `model_copy(deep=True)`, a few times faster)."""
        return _copy(self)


_copy = copier(ConversationState)


def _valid(model: type[M], data: object) -> M | None:
    """`data` as a `model`, or None when it is missing or does not validate."""
    try:
        return model.model_validate(data) if data is not None else None
    except ValidationError:
        return None
