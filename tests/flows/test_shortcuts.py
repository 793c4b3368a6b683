"""The engine's shortcuts answer as the long way round would: values kept per definition object (`memo`),
the page of a menu left alone without looking at the prompt (`may_turn_page`), and edit distances not
computed when they surely exceed the limit (`names.matches`)."""

from __future__ import annotations

import gc

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flows import ChoiceMade, FileReceived, Text
from flows.choice_sets import CHOICE_SETS, Option
from flows.memo import cached_count, per_object
from flows.menus import NEXT, PREV, Prompt, may_turn_page, resolve
from flows.names import distance, matches, normalize

LETTERS = "abeiklnrstuy _-.0123456789»«"
NAV_WORDS = ["berikutnya", "Berikutnya »", "berikut", "brikutnya", "lanjut", "lanjt", "lnjut", "sebelumnya",
             "« Sebelumnya", "sebelum", "sbelumnya", "__next", "__prev", "ber", "lan", "nya", "tnya", "1", "12"]
PAGED = Prompt("Hubungan?", (*CHOICE_SETS["hubungan"], Option("teman", "Teman"), Option("tetangga", "Tetangga")))


class _Thing:
    pass


def test_a_value_is_computed_once_per_object_and_dropped_with_it() -> None:
    calls: list[int] = []

    @per_object
    def describe(thing: _Thing) -> int:
        calls.append(id(thing))
        return len(calls)

    a, b = _Thing(), _Thing()
    assert [describe(a), describe(b), describe(a), describe(b)] == [1, 2, 1, 2] and len(calls) == 2
    del a
    gc.collect()
    assert cached_count(describe) == 1


def _nav(value: str | None) -> bool:
    return value in (NEXT.value, PREV.value)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.sampled_from(NAV_WORDS), st.text(LETTERS, max_size=14)), st.sampled_from([0, 1, 2]))
def test_a_text_read_as_turning_the_page_is_never_overlooked(text: str, page: int) -> None:
    inbound = Text(text=text)
    if any(_nav(resolve(inbound, PAGED, page, fuzzy=fuzzy)) for fuzzy in (True, False)):
        assert may_turn_page(inbound)


def test_what_may_turn_the_page() -> None:
    assert may_turn_page(ChoiceMade(value=NEXT.value)) and not may_turn_page(ChoiceMade(value="anak"))
    assert not may_turn_page(FileReceived(file_ref="f", media_type="image/jpeg", size=1))
    assert all(may_turn_page(Text(text=t)) for t in ("3", "10", "berikutnya", "lanjt", "« Sebelumnya"))
    assert not any(may_turn_page(Text(text=t)) for t in ("0", "11", "6271034507900001", "081234567890"))


def _matches_computing_every_distance(query: str, candidates: list[list[str]]) -> list[int]:
    """`names.matches` for a query no candidate equals or contains: every distance computed."""
    q = normalize(query)
    best: dict[int, int] = {}
    for i, names in enumerate(candidates):
        for n in map(normalize, names):
            limit = 1 if len(n) <= 5 else 2 if len(n) <= 10 else 3
            d = min(distance(q, n, limit), distance(q.replace(" ", ""), n.replace(" ", ""), limit))
            if d <= limit:
                best[i] = min(best.get(i, d), d)
    low = min(best.values(), default=0)
    return [i for i, d in best.items() if d == low]


@settings(max_examples=500, deadline=None)
@given(st.text("abcdeiklmnu ", min_size=1, max_size=12), st.lists(st.text("abcdeiklmnu", min_size=1, max_size=12),
                                                                  min_size=1, max_size=5))
@example("b", ["bk"])  # "bk" is read as "bukit"
def test_distances_left_out_would_not_have_matched(query: str, names: list[str]) -> None:
    q, candidates = normalize(query), [[n] for n in names]
    if q and not any(q == n or (len(q) >= 3 and q in n) for n in map(normalize, names)):
        assert matches(query, candidates) == _matches_computing_every_distance(query, candidates)
