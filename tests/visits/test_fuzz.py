"""Whatever a resident sends while choosing or cancelling a visit, the engine answers within every
channel's limits and never books a slot it did not offer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import BookedVisit, BookVisit, Catalogue, ChoiceMade, Directory, Text, load_catalogue
from tests.support.flows import seed_directory
from tests.visits.test_engine import MONDAY_8, SLOTS, VisitChat

CATALOGUE: Catalogue = load_catalogue()
DIRECTORY: Directory = seed_directory()
WORDS = ["1", "2", "3", "9", "kembali", "batal", "batal kunjungan", "status", "tidak", "ya", "halo", "senin",
         "2026-11-23", "2026-11-23T08:00", "2026-11-23T09:00", "KNJ-ABC234", "ahli waris", "mulai"]
MESSAGES = st.one_of(st.sampled_from(WORDS).map(lambda w: Text(text=w)),
                     st.sampled_from(WORDS).map(lambda w: ChoiceMade(value=w)), st.text(max_size=30).map(
                         lambda t: Text(text=t)))


@settings(max_examples=150, deadline=None)
@given(st.lists(MESSAGES, max_size=12))
def test_any_answer_while_booking_or_cancelling(messages: list[Text | ChoiceMade]) -> None:
    chat = VisitChat(CATALOGUE, DIRECTORY)
    chat.visits = (BookedVisit("KNJ-ABC234", MONDAY_8, "Menteng", "Ahli Waris"),)
    chat.start("menteng")
    chat.send("ahli waris")
    offered = {s.start for s in SLOTS if s.free > 0}
    for message in messages:
        chat.send(message)  # checks every reply against the channel limits
        assert all(b.start in offered and b.letter_type == "ahli_waris" for b in chat.of(BookVisit))
