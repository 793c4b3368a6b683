"""The satisfaction index's figures (`stats.skm`) from the survey's SQL sums (`stats.queries.skm_sums`): for
the city, a service or a kelurahan, merged from the sums of its (kelurahan, letter type) groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stats import skm
from stats.queries import ELEMENTS, Sums


def skm_index(sums: Sums) -> float | None:
    """The SKM index (`stats.skm.index`) of the elements' (sum of scores, answers); None without answers."""
    nrr = {e: total / answers for e, (total, answers) in sums.items() if answers}
    return skm.index(nrr) if nrr else None


def skm_category(value: float | None) -> tuple[str | None, str | None]:
    return skm.category(value) if value is not None else (None, None)


def _skm_round(value: float | None) -> float | None:
    return float(skm.rounded(value)) if value is not None else None


def _merge(parts: Iterable[tuple[int, Sums]]) -> tuple[int, Sums]:
    respondents, sums = 0, {e: (0, 0) for e in ELEMENTS}
    for n, element_sums in parts:
        respondents += n
        for e, (total, answers) in element_sums.items():
            sums[e] = (sums[e][0] + total, sums[e][1] + answers)
    return respondents, sums


def skm_figures(parts: Iterable[tuple[int, Sums]]) -> dict[str, Any]:
    respondents, sums = _merge(parts)
    index = skm_index(sums)
    letter, label = skm_category(index)
    return {"responden": respondents, "indeks": _skm_round(index), "mutu": letter, "kinerja": label,
            "unsur": {e: round(total / answers, 2) for e, (total, answers) in sums.items() if answers}}


def kelurahan_skm(parts: list[tuple[int, Sums]]) -> dict[str, Any]:
    index = skm_index(_merge(parts)[1]) if parts else None
    return {"skm": _skm_round(index), "mutu": skm_category(index)[0]}
