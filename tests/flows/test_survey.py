"""The satisfaction survey (SKM) in the chat, engine level: offered after a letter is issued, answered 1-4
per element, an optional comment, one `RecordSurvey`; skipped at any point; never in the resident's way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from flows import RecordSurvey, RevisionRequested, Step, SubmitRequest, SurveyOffered, messages
from flows import survey as s
from stats.skm import ASKED, BY_CODE
from tests.support.flows import ANSWERS, Chat

OFFER = SurveyOffered(request_id=17, code="BT-2026-000017")


@pytest.fixture
def resting(make_chat: Callable[..., Chat]) -> Chat:
    """A resident who agreed to the processing of their data and whose chat is at rest."""
    chat = make_chat()
    chat.send("halo")
    chat.press("ya")
    chat.command("batal")
    assert chat.state.step == Step.IDLE and chat.state.consent
    return chat


def offered(chat: Chat) -> Chat:
    chat.send(OFFER)
    assert chat.state.step == Step.SURVEY
    return chat


def test_offered_answered_commented_and_stored_once(resting: Chat) -> None:
    chat = resting
    chat.send(OFFER)
    [question] = chat.effects  # one message: the intro heads the first question
    assert "Bantu kami meningkatkan layanan: 6 pertanyaan singkat, boleh dilewati" in question.text
    assert "BT-2026-000017" in question.text
    assert "pertanyaan 1 dari 6" in question.text and BY_CODE["u1"].question in question.text
    assert chat.values == ["u1:1", "u1:2", "u1:3", "u1:4", "lewati"]  # shown as a list on every channel
    assert question.style == "list" and "1. Tidak sesuai" in question.text and "5. Lewati" in question.text
    chat.press("u1:4")  # a button
    chat.send("3")  # a number typed
    chat.send("cepat")  # the answer's words
    chat.press("u4:4")
    chat.send("sesuai")
    assert BY_CODE["u7"].question in chat.text and chat.values[-2] == "u7:4"
    chat.send("4")
    assert s.ASK_COMMENT in chat.text and chat.values == ["lewati"]
    assert chat.of(RecordSurvey) == []
    chat.send("Pelayanan cepat, terima kasih!")
    [record] = chat.of(RecordSurvey)
    assert record == RecordSurvey(request_id=17, answers={"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u7": 4},
                                  comment="Pelayanan cepat, terima kasih!")
    assert list(record.answers) == list(ASKED)
    assert s.THANKS in chat.text and chat.state.step == Step.IDLE and chat.state.survey is None


def test_comment_skipped(resting: Chat) -> None:
    chat = offered(resting)
    for _ in ASKED:
        chat.send("2")
    chat.press("lewati")
    [record] = chat.of(RecordSurvey)
    assert record.answers == dict.fromkeys(ASKED, 2) and record.comment is None
    assert s.THANKS in chat.text


def test_skipped_at_the_start_stores_nothing(resting: Chat) -> None:
    chat = offered(resting)
    chat.press("lewati")
    assert chat.of(RecordSurvey) == [] and s.SKIPPED in chat.text and chat.state.step == Step.IDLE


@pytest.mark.parametrize("skip", ["Lewati", "5", "skip", "batal", "kembali"])
def test_skipped_in_the_middle_keeps_the_answers_given(resting: Chat, skip: str) -> None:
    chat = offered(resting)
    chat.send("4")
    chat.send("3")
    chat.send(skip)
    [record] = chat.of(RecordSurvey)
    assert record.answers == {"u1": 4, "u2": 3} and record.comment is None
    assert s.THANKS in chat.text and chat.state.step == Step.IDLE


def test_an_answer_not_on_the_scale_is_asked_again_in_indonesian(resting: Chat) -> None:
    chat = offered(resting)
    chat.send("7")
    assert s.NOT_A_SCORE in chat.text and "pertanyaan 1 dari 6" in chat.text
    chat.send("4")
    assert "pertanyaan 2 dari 6" in chat.text
    chat.press("u1:2")  # a button of the first question pressed late is not an answer to the second
    assert s.NOT_A_SCORE in chat.text and "pertanyaan 2 dari 6" in chat.text
    chat.send("3")
    assert chat.state.survey is not None and chat.state.survey.answers == {"u1": 4, "u2": 3}


def test_two_messages_that_are_not_answers_leave_the_survey(resting: Chat) -> None:
    chat = offered(resting)
    chat.send("4")
    chat.send("saya mau buat surat lagi")
    assert s.NOT_A_SCORE in chat.text
    chat.send("surat keterangan usaha")
    assert chat.of(RecordSurvey) == [RecordSurvey(request_id=17, answers={"u1": 4})]
    assert chat.state.step == Step.KECAMATAN  # handled as at rest: a new request begins


def test_an_empty_comment_is_asked_again(resting: Chat) -> None:
    chat = offered(resting)
    for _ in ASKED:
        chat.send("3")
    chat.send("   ")
    assert s.NO_COMMENT in chat.text and chat.state.step == Step.SURVEY


@pytest.mark.parametrize("command, step", [("status", Step.IDLE), ("mulai", Step.KECAMATAN),
                                           ("data saya", Step.IDLE), ("bantuan", Step.IDLE)])
def test_a_command_during_the_survey_works_and_drops_it_silently(resting: Chat, command: str, step: Step) -> None:
    chat = offered(resting)
    chat.send("4")
    chat.send(command)
    assert chat.of(RecordSurvey) == [RecordSurvey(request_id=17, answers={"u1": 4})]  # the answer given is kept
    assert s.THANKS not in chat.text and s.SKIPPED not in chat.text and "pertanyaan" not in chat.text
    assert chat.state.step == step and chat.state.survey is None


def test_a_new_request_after_a_dropped_survey_goes_through(resting: Chat) -> None:
    chat = offered(resting)
    chat.command("start")
    chat.send("bukit tunggal")
    chat.choose_letter("sktm")
    submitted = chat.fill(ANSWERS)
    assert isinstance(submitted, SubmitRequest) and chat.of(RecordSurvey) == []


def test_a_correction_from_staff_leaves_the_survey(resting: Chat) -> None:
    chat = offered(resting)
    chat.send(RevisionRequested(request_id=18, code="BT-2026-000018", letter_type="sktm",
                                kelurahan_slug="bukit-tunggal", fields=dict(ANSWERS), fields_to_fix=["alamat"]))
    assert chat.state.step == Step.FILL and chat.state.survey is None and chat.of(RecordSurvey) == []


def test_a_message_a_day_later_is_handled_as_at_rest(resting: Chat) -> None:
    chat = offered(resting)
    chat.send("4")
    chat.now += timedelta(hours=25)
    chat.send("halo")
    assert chat.of(RecordSurvey) == [RecordSurvey(request_id=17, answers={"u1": 4})]
    assert chat.state.step == Step.KECAMATAN and messages.WELCOME_BACK in chat.text


def test_not_offered_to_a_resident_busy_with_another_request(make_chat: Callable[..., Chat]) -> None:
    chat = make_chat()
    chat.start()
    before = chat.state
    assert chat.send(OFFER) == []
    assert chat.state == before  # not even its time of last activity changes


def test_not_offered_without_consent_nor_twice(make_chat: Callable[..., Chat], resting: Chat) -> None:
    fresh = make_chat()
    assert fresh.send(OFFER) == [] and fresh.state.step == Step.IDLE
    chat = offered(resting)
    chat.send("4")
    assert chat.send(SurveyOffered(request_id=99)) == []  # the survey under way goes on
    assert chat.state.survey is not None and chat.state.survey.request_id == 17


def test_the_survey_state_survives_a_restore(resting: Chat) -> None:
    chat = offered(resting)
    chat.send("4")
    restored = type(chat.state).restore(chat.state.model_dump(mode="json"))
    assert restored == chat.state and restored.survey is not None and restored.survey.answers == {"u1": 4}
