"""`ConversationState.copied`, the engine's copy of the state it is given (so that `advance` never modifies
its input): equal to the state, and sharing none of its mutable parts, whatever fields the state has."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from flows import SCHEMA_VERSION, ConversationState, RevisionRequested, Step
from flows.state import Draft, Survey

DRAFT = Draft(kecamatan="Jekan Raya", kelurahan_slug="bukit-tunggal", letter_type="sktm", fields={"nama": "Siti"},
              groups={"tanggungan": [{"nama": "Budi"}, {}]}, closed=["tanggungan"], attachments={"ktp": "f1"},
              editing=["f:nama"], history=["f:nik"], started=True, reviewed=True, revision_of=3, revision_code="X",
              staff_note="n", visit_day="2026-01-02")
FULL = ConversationState(
    version=SCHEMA_VERSION, step=Step.SURVEY, consent=True, draft=DRAFT, stash=DRAFT.model_copy(deep=True), page=2,
    queued=[RevisionRequested(request_id=7, letter_type="sktm", kelurahan_slug="bukit-tunggal",
                              fields={"nama": "Siti", "tanggungan": [{"nama": "Budi"}]}, attachments={"ktp": "f"},
                              fields_to_fix=["nama"])],
    survey=Survey(request_id=7, code="BT", answers={"u1": 3}, at=1), updated_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def _mutable_parts(value: Any) -> list[Any]:
    """Every dict, list and model inside `value` (itself included)."""
    if isinstance(value, BaseModel):
        return [value, *(p for v in value.__dict__.values() for p in _mutable_parts(v))]
    if isinstance(value, dict):
        return [value, *(p for v in value.values() for p in _mutable_parts(v))]
    if isinstance(value, list):
        return [value, *(p for v in value for p in _mutable_parts(v))]
    return []


def test_every_field_of_the_state_is_exercised() -> None:
    assert FULL.model_fields_set == set(ConversationState.model_fields)
    assert DRAFT.model_fields_set == set(Draft.model_fields)


def test_a_copy_is_equal_and_shares_nothing_mutable() -> None:
    copy = FULL.copied()
    assert copy == FULL and copy.model_dump(mode="json") == FULL.model_dump(mode="json")
    assert copy.model_fields_set == FULL.model_fields_set
    originals = {id(p) for p in _mutable_parts(FULL)}
    assert not [p for p in _mutable_parts(copy) if id(p) in originals]


def test_changing_a_copy_leaves_the_state_alone() -> None:
    before = FULL.model_dump(mode="json")
    copy = FULL.copied()
    copy.draft.fields["nama"] = "Ani"
    copy.draft.groups["tanggungan"][0]["nama"] = "Ana"
    copy.draft.history.append("f:nama")
    copy.page = 0
    assert copy.survey is not None
    copy.survey.answers["u2"] = 4
    assert FULL.model_dump(mode="json") == before
    assert copy.model_fields_set == FULL.model_fields_set  # set again, not newly set
