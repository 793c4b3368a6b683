"""The engine's side of visits (pure): a letter that needs a visit offers the days, then the times of the
open slots the runner gives (`Context.visit_slots`); the pick is a `BookVisit`; a slot taken meanwhile
is offered again; `batal kunjungan` asks which booking and cancels it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flows import (
    BookedVisit,
    BookVisit,
    CancelVisit,
    Catalogue,
    Context,
    Directory,
    Step,
    VisitSlot,
    VisitUnavailable,
)
from flows import visit_texts as v
from tests.support.flows import NOW, Chat

MONDAY_8 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 23 November 2026, 08.00 WIB
SLOTS = (VisitSlot(MONDAY_8, 4), VisitSlot(MONDAY_8 + timedelta(minutes=30), 1),
         VisitSlot(MONDAY_8 + timedelta(hours=1), 0),  # full: not offered
         VisitSlot(MONDAY_8 + timedelta(days=1), 2))


def at(chat: Chat) -> Step:
    return chat.state.step


class VisitChat(Chat):
    slots: tuple[VisitSlot, ...] = SLOTS
    visits: tuple[BookedVisit, ...] = ()

    @property
    def ctx(self) -> Context:
        return replace(super().ctx, visit_slots=self.slots, visits=self.visits)


def at_days(catalogue: Catalogue, directory: Directory) -> VisitChat:
    chat = VisitChat(catalogue, directory)
    chat.start("menteng")
    chat.send("ahli waris")
    return chat


def test_a_visit_letter_tells_the_requirements_then_offers_the_open_days(catalogue: Catalogue,
                                                                         directory: Directory) -> None:
    chat = at_days(catalogue, directory)
    assert at(chat) == Step.VISIT_DAY
    assert "Akta kelahiran para ahli waris" in chat.text and "pilih jadwal kunjungan" in chat.text
    assert chat.values == ["2026-11-23", "2026-11-24"]
    assert "1. Senin, 23 November 2026" in chat.prompt.text and chat.prompt.choices[0].title == "Sen 23 Nov"


def test_picking_a_day_then_a_time_books_that_slot(catalogue: Catalogue, directory: Directory) -> None:
    chat = at_days(catalogue, directory)
    chat.send("1")
    assert at(chat) == Step.VISIT_SLOT
    assert chat.values == ["2026-11-23T08:00", "2026-11-23T08:30"]  # 09.00 is full
    assert "08.30 WIB (sisa 1 tempat)" in chat.text
    chat.press("2026-11-23T08:30")
    [book] = chat.of(BookVisit)
    assert book == BookVisit(kelurahan_slug="menteng", letter_type="ahli_waris", start=MONDAY_8 + timedelta(minutes=30))
    assert at(chat) == Step.IDLE and not chat.state.draft.letter_type


def test_kembali_goes_from_the_times_to_the_days_and_to_the_letters(catalogue: Catalogue,
                                                                    directory: Directory) -> None:
    chat = at_days(catalogue, directory)
    chat.press("2026-11-24")
    chat.send("kembali")
    assert at(chat) == Step.VISIT_DAY
    chat.send("kembali")
    assert at(chat) == Step.LETTER


def test_a_time_filled_meanwhile_is_refused_with_the_others_offered(catalogue: Catalogue,
                                                                    directory: Directory) -> None:
    chat = at_days(catalogue, directory)
    chat.press("2026-11-23")
    chat.slots = tuple(s for s in SLOTS if s.start != MONDAY_8)
    chat.press("2026-11-23T08:00")
    assert at(chat) == Step.VISIT_SLOT and v.SLOT_FULL in chat.text
    assert chat.values == ["2026-11-23T08:30"] and not chat.of(BookVisit)


def test_the_runner_says_the_slot_was_taken_and_the_times_are_offered_again(catalogue: Catalogue,
                                                                            directory: Directory) -> None:
    chat = VisitChat(catalogue, directory)
    chat.state.consent = True
    chat.send(VisitUnavailable(kelurahan_slug="menteng", letter_type="ahli_waris", day="2026-11-23"))
    assert at(chat) == Step.VISIT_SLOT and v.SLOT_FULL in chat.text
    chat.slots = (SLOTS[3],)
    chat.state = chat.state.model_copy(update={"step": Step.IDLE})
    chat.send(VisitUnavailable(kelurahan_slug="menteng", letter_type="ahli_waris", day="2026-11-23"))
    assert at(chat) == Step.VISIT_DAY and v.DAY_FULL in chat.text and chat.values == ["2026-11-24"]


def test_without_open_slots_the_resident_is_told_to_come_in_office_hours(catalogue: Catalogue,
                                                                         directory: Directory) -> None:
    chat = VisitChat(catalogue, directory)
    chat.slots = (VisitSlot(MONDAY_8, 0),)
    chat.start("menteng")
    chat.send("ahli waris")
    assert at(chat) == Step.IDLE and "Jam layanan:" in chat.text and not chat.values


def test_batal_kunjungan_asks_which_and_cancels_it(catalogue: Catalogue, directory: Directory) -> None:
    chat = VisitChat(catalogue, directory, now=NOW)
    chat.visits = (BookedVisit("KNJ-ABC234", MONDAY_8, "Menteng", "Ahli Waris"),)
    chat.send("batal kunjungan")
    assert at(chat) == Step.VISIT_CANCEL and chat.values == ["KNJ-ABC234", "tidak"]
    assert "Senin, 23 November 2026 pukul 08.00 WIB" in chat.text
    chat.send("1")
    assert chat.of(CancelVisit) == [CancelVisit(code="KNJ-ABC234")] and at(chat) == Step.IDLE


def test_batal_kunjungan_without_a_booking_says_so_and_keeps_the_draft(catalogue: Catalogue,
                                                                       directory: Directory) -> None:
    chat = VisitChat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    chat.send("Siti Aminah")
    chat.send("batal kunjungan")
    assert v.NO_VISITS in chat.text and at(chat) == Step.FILL
    chat.visits = (BookedVisit("KNJ-ABC234", MONDAY_8, "Menteng", "Ahli Waris"),)
    chat.send("/batal_kunjungan")
    chat.press("tidak")
    assert v.KEPT in chat.text and at(chat) == Step.FILL and chat.state.draft.fields["nama"] == "Siti Aminah"
