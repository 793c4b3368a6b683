"""Yes/no questions are read strictly (issue #11): consent under UU 27/2022 is never read backwards.

The same phrasings give the same reading at the consent step and at the other yes/no questions
(saved profile, "tambah lagi?", cancel and erase confirmations, a Ya/Tidak choice field); a
negation is never read as yes; an unclear answer is asked again with a hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import CancelRequest, ChoiceMade, ConversationState, ErasePersonalData, RecordConsent, Step, Text, messages
from flows.choice_sets import Option
from flows.menus import Prompt, yes_no
from flows.yes_no import AFFIRMATIONS, FILLERS, NEGATIONS, VERBS, choose, read
from tests.support.flows import PROFILE, next_answer, reach

YES = ["ya", "iya", "iya setuju", "saya setuju", "setuju", "boleh", "ok", "oke", "yes", "y", "Ya, saya setuju.",
       "iyaaa", "Setuju!", "ya boleh", "saya bersedia", "oke setuju", "YA"]
NO = ["tidak", "tdk", "gak", "nggak", "ga", "enggak", "tidak setuju", "saya tidak setuju", "gak mau", "no", "n",
      "jangan", "ga setuju", "nggak mau", "saya gak setuju", "tidak mau", "Tidak, terima kasih.", "iya gak setuju",
      "ogah", "belum", "TIDAK SETUJU", "ngga boleh", "ya tidak setuju", "tdk bersedia", "saya menolak", "gk"]
UNSURE = ["apa ini?", "setuju gak?", "setuju gak", "ya tidak", "mungkin", "nanti dulu", "entah", "maksudnya apa",
          "setuju?", "", "!!!", "hmm",
          "terima kasih", "makasih", "mau gak setuju", "setujuu kah", "yes no", "bisa dijelaskan"]
TABLE = [(t, "ya") for t in YES] + [(t, "tidak") for t in NO] + [(t, None) for t in UNSURE]


@pytest.mark.parametrize("text, said", TABLE)
def test_the_reading_of_each_phrasing(text: str, said: str | None) -> None:
    assert read(text) == said


@pytest.mark.parametrize("text, said", TABLE)
def test_consent_step(make_chat: Callable[..., Any], text: str, said: str | None) -> None:
    chat = make_chat()
    reach(chat, "consent")
    chat.send(text)
    if said == "ya":
        assert chat.of(RecordConsent) and chat.state.consent and chat.state.step == Step.KECAMATAN
    elif said == "tidak":
        assert chat.text == messages.CONSENT_REFUSED and not chat.of(RecordConsent)
        assert chat.state.model_copy(update={"updated_at": None}) == ConversationState()
    else:
        assert chat.state.step == Step.CONSENT and not chat.state.consent and not chat.of(RecordConsent)
        assert "Ketik *setuju* atau *tidak setuju*" in chat.text  # asked again, with what to type


@pytest.mark.parametrize("text", ["lanjut", "terima kasih", "oke lanjut", "lanjutkan"])
def test_going_on_or_thanking_is_not_consent(make_chat: Callable[..., Any], text: str) -> None:
    chat = make_chat()
    reach(chat, "consent")
    chat.send(text)
    assert chat.state.step == Step.CONSENT and not chat.state.consent and not chat.of(RecordConsent)


@pytest.mark.parametrize("text, said", TABLE)
def test_saved_profile_question(make_chat: Callable[..., Any], text: str, said: str | None) -> None:
    chat = make_chat(profile=PROFILE)
    reach(chat, "profile")
    chat.send(text)
    if said is None:
        assert chat.state.step == Step.PROFILE and "Ketik *ya* atau *tidak*" in chat.text
    else:
        assert chat.state.step == Step.FILL
        assert ("nama" in chat.state.draft.fields) == (said == "ya")


@pytest.mark.parametrize("text, said", TABLE)
def test_cancel_confirmation(make_chat: Callable[..., Any], text: str, said: str | None) -> None:
    chat = make_chat()
    reach(chat, "confirm_cancel")
    chat.send(text)
    assert bool(chat.of(CancelRequest)) == (said == "ya")
    assert chat.state.step == {"ya": Step.IDLE, "tidak": Step.FILL, None: Step.CONFIRM_CANCEL}[said]


@pytest.mark.parametrize("text", ["gak jadi hapus", "jangan hapus", "tidak", "nggak mau", "gak"])
def test_erase_is_never_confirmed_by_a_negation(make_chat: Callable[..., Any], text: str) -> None:
    chat = make_chat()
    reach(chat, "fill")
    chat.send("hapus data saya")
    chat.send(text)
    assert not chat.of(ErasePersonalData) and chat.state.draft.fields


@pytest.mark.parametrize("text, value", [("iya", "Ya"), ("gak", "Tidak"), ("tidak tahu", "Tidak tahu"),
                                         ("gak tau", "Tidak tahu"), ("ya terdaftar", None), ("tidk", None)])
def test_a_ya_tidak_choice_field_is_a_yes_no_question(make_chat: Callable[..., Any], text: str,
                                                      value: str | None) -> None:
    chat = make_chat()
    chat.start()
    chat.choose_letter("sktm")
    while chat.question() != "f:terdaftar_dtks":
        chat.send(next_answer(chat.catalogue, chat.state, 0, 0)[1])
    chat.send(text)
    assert chat.state.draft.fields.get("terdaftar_dtks") == value
    if value is None:
        assert "Ketik *ya* atau *tidak*" in chat.text and chat.question() == "f:terdaftar_dtks"


def test_buttons_and_numbers_keep_working(make_chat: Callable[..., Any]) -> None:
    prompt = Prompt("?", yes_no(messages.AGREE, messages.DISAGREE))
    assert choose(ChoiceMade(value="ya"), prompt) == "ya" and choose(ChoiceMade(value="tidak"), prompt) == "tidak"
    assert choose(Text(text="1"), prompt) == "ya" and choose(Text(text="2"), prompt) == "tidak"
    assert choose(Text(text="Tidak Setuju"), prompt) == "tidak"


def test_no_fuzzy_match_at_a_yes_no_question() -> None:
    prompt = Prompt("?", yes_no(messages.AGREE, messages.DISAGREE))
    for typo in ("setju", "stuju", "tidak setju", "iyya tidak", "gag setuju", "sertuju"):
        assert choose(Text(text=typo), prompt) in (None, "tidak"), typo
    assert choose(Text(text="setju"), prompt) is None


KNOWN = sorted(AFFIRMATIONS | VERBS | FILLERS | NEGATIONS)
NEGATION_WORDS = sorted(NEGATIONS)


@settings(max_examples=500, deadline=None)
@given(before=st.lists(st.sampled_from([*KNOWN, "mungkin", "setuju!", "ya,", "Iya"]), max_size=5),
       negation=st.sampled_from(NEGATION_WORDS), after=st.lists(st.sampled_from(KNOWN), max_size=5),
       shout=st.booleans())
def test_no_phrase_with_a_negation_is_read_as_yes(before: list[str], negation: str, after: list[str],
                                                  shout: bool) -> None:
    text = " ".join([*before, negation, *after])
    text = text.upper() if shout else text
    assert read(text) != "ya"
    consent = Prompt("?", yes_no(messages.AGREE, messages.DISAGREE))
    assert choose(Text(text=text), consent) != "ya"
    erase = Prompt("?", (Option("ya", "Ya, hapus", aliases=("ya", "hapus", "ya hapus")), Option("tidak", "Tidak")))
    assert choose(Text(text=text), erase) != "ya"
