"""What reaches the engine: the resident's messages, and the system's revision requests and survey offers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _In(BaseModel):
    model_config = ConfigDict(frozen=True)


class Text(_In):
    kind: Literal["text"] = "text"
    text: str


class ChoiceMade(_In):
    """A button or list row pressed (its `Choice.value`)."""

    kind: Literal["choice"] = "choice"
    value: str


class FileReceived(_In):
    """A photo or document, already stored by the runner under `file_ref`."""

    kind: Literal["file"] = "file"
    file_ref: str
    media_type: str
    size: int
    filename: str | None = None
    is_photo: bool = False
    refused: str | None = None  # why the channel's upload intake refused the file (Indonesian), if it did


class Command(_In):
    """/start, /batal, /kembali, /bantuan, /status (name without the slash; "@bot" suffix ignored)."""

    kind: Literal["command"] = "command"
    name: str

    @field_validator("name")
    @classmethod
    def _normalise(cls, v: str) -> str:
        return v.strip().lstrip("/").split("@")[0].split(" ")[0].lower()


class RevisionRequested(_In):
    """Staff asked for a correction of request `request_id`: re-ask `fields_to_fix`, then resubmit.

    `fields` as in SubmitRequest (group name -> list of rows); `attachments`: the request's files by
    requirement kind (kept unless the resident sends a new one); `fields_to_fix` may name fields,
    groups or attachment kinds (none: the resident chooses what to correct).
    """

    kind: Literal["revision"] = "revision"
    request_id: int
    code: str = ""  # the request's code (BT-2026-000017), its one name for the resident
    letter_type: str
    kelurahan_slug: str
    fields: dict[str, Any]
    attachments: dict[str, str] = {}
    fields_to_fix: list[str]
    note: str = ""


class VisitUnavailable(_In):
    """From the runner: the slot the resident picked was taken meanwhile; offer the slots of `day` again."""

    kind: Literal["visit_unavailable"] = "visit_unavailable"
    kelurahan_slug: str
    letter_type: str
    day: str  # ISO date (WIB) of the slot picked


class SurveyOffered(_In):
    """From the lifecycle: the letter of request `request_id` was issued; offer the satisfaction survey (SKM)."""

    kind: Literal["survey_offered"] = "survey_offered"
    request_id: int
    code: str = ""  # the request's code, its name for the resident


Inbound = Annotated[Text | ChoiceMade | FileReceived | Command | RevisionRequested | VisitUnavailable | SurveyOffered,
                    Field(discriminator="kind")]
