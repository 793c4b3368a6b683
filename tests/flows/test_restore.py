"""A stored state written by another version of e-surat never breaks its chat: `ConversationState.restore`
drops what it cannot read and keeps what is still safe (the consent; a draft that still validates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import ConversationState, Step, messages
from tests.support.flows import reach

DRAFT = {"kecamatan": "Jekan Raya", "kelurahan_slug": "bukit-tunggal", "letter_type": "sktm", "started": True,
         "fields": {"nama": "Siti Aminah"}}
REVISION = {"request_id": 7, "letter_type": "sktm", "kelurahan_slug": "bukit-tunggal", "fields": {},
            "fields_to_fix": ["nama"]}


def test_unknown_keys_are_dropped() -> None:
    state = ConversationState.restore({
        "version": 1, "step": "fill", "consent": True, "draft": {**DRAFT, "warna": "biru"}, "bahasa": "dayak",
    })
    assert state.step == Step.FILL and state.consent and state.draft.fields == {"nama": "Siti Aminah"}
    assert "bahasa" not in state.model_dump() and "warna" not in state.draft.model_dump()


@pytest.mark.parametrize("data", [
    {"version": 1, "step": "ringkasan", "consent": True, "draft": DRAFT},  # a step renamed since
    {"version": 1, "step": "fill", "consent": True, "draft": DRAFT, "page": "dua"},  # a changed shape
    {"version": 1, "step": "summary", "consent": True, "draft": DRAFT, "updated_at": "kemarin"},
])
def test_an_unreadable_state_keeps_consent_and_a_valid_draft(data: dict[str, Any]) -> None:
    state = ConversationState.restore(data)
    assert state.step == Step.IDLE and state.page == 0 and state.updated_at is None
    assert state.consent and state.draft.letter_type == "sktm" and state.draft.fields == {"nama": "Siti Aminah"}


def test_unreadable_parts_are_dropped_one_by_one() -> None:
    state = ConversationState.restore({
        "version": 1, "step": "??", "consent": True, "draft": {"fields": {"nama": ["Siti"]}},
        "stash": DRAFT, "queued": [REVISION, {"request_id": "tujuh"}, "x"],
    })
    assert state.consent and state.draft == ConversationState().draft
    assert state.stash is not None and state.stash.letter_type == "sktm"
    assert [r.request_id for r in state.queued] == [7]


@pytest.mark.parametrize("data", [None, [], "idle", 42, {}, {"step": "fill"}, {"version": "1"}])
def test_not_a_state_at_all(data: object) -> None:
    assert ConversationState.restore(data) == ConversationState()


def test_another_schema_version_keeps_only_the_consent() -> None:
    old = {"version": 0, "step": "fill", "consent": True, "draft": DRAFT}
    assert ConversationState.restore(old) == ConversationState(consent=True)
    assert ConversationState.restore({**old, "consent": "ya"}) == ConversationState()  # only a real True


def test_the_chat_goes_on_after_a_garbled_state(make_chat: Callable[..., Any]) -> None:
    chat = make_chat()
    reach(chat, "fill")
    data = chat.state.model_dump(mode="json")
    data["step"] = "langkah_lama"
    chat = make_chat(state=ConversationState.restore(data))
    chat.send("halo")
    assert chat.state.step == Step.RESUME and messages.resume(chat.catalogue["sktm"].title) in chat.text
    chat.press("lanjut")
    assert chat.state.step == Step.FILL


def test_a_garbled_state_without_consent_starts_over(make_chat: Callable[..., Any]) -> None:
    chat = make_chat(state=ConversationState.restore({"version": 1, "step": 3, "draft": "rusak"}))
    chat.send("halo")
    assert chat.state.step == Step.CONSENT
