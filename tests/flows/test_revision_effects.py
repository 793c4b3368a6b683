"""A correction request from staff only ever makes the engine ask questions (replies), at whatever step
the resident is: `ChatStates.revision_requested` relies on it to need no lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import AskFile, Reply, RevisionRequested
from tests.support.flows import PROFILE, reach

STEPS = ["idle", "consent", "kecamatan", "kelurahan", "letter", "requirements", "profile", "fill", "summary",
         "fix_pick", "confirm_cancel", "resume"]


def correction(request_id: int, letter_type: str = "sktm") -> RevisionRequested:
    return RevisionRequested(request_id=request_id, letter_type=letter_type, kelurahan_slug="bukit-tunggal",
                             fields=dict(PROFILE), attachments={}, fields_to_fix=["alamat"], note="Alamat kurang")


@pytest.mark.parametrize("step", STEPS)
def test_a_correction_only_asks(make_chat: Callable[..., Any], step: str) -> None:
    chat = make_chat(profile=dict(PROFILE))
    reach(chat, step)
    for rev in (correction(41), correction(42), correction(41), correction(43, "paspor")):
        effects = chat.send(rev)
        assert effects and all(isinstance(e, Reply | AskFile) for e in effects), (step, rev.request_id, effects)
