"""Tolerant matching of typed names ("buki tungal" -> "Bukit Tunggal") for places and choices."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Abbreviations residents type for words of place names.
ABBREVIATIONS = {
    "bkt": "bukit", "bk": "bukit", "tjg": "tanjung", "tj": "tanjung", "tbg": "tumbang",
    "tmb": "tumbang", "sbrg": "seberang", "sebrang": "seberang", "sungai": "sei", "sg": "sei",
    "plk": "palangka", "kr": "kereng", "kel": "", "kelurahan": "", "kec": "", "kecamatan": "",
}
_NON_WORD = re.compile(r"[^\w]+")


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9 (not "²" or other scripts' digits, which `str.isdigit` accepts)."""
    return text.isascii() and text.isdigit()


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, abbreviations expanded, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub(" ", text.casefold().replace("'", "")).split()
    expanded = (ABBREVIATIONS.get(w, w) for w in words)
    return " ".join(w for w in expanded if w)


def distance(a: str, b: str, limit: int = 4) -> int:
    """Optimal string alignment distance (Levenshtein plus transpositions), capped at `limit` + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _far(a: str, b: str, limit: int) -> bool:
    """`distance(a, b)` is surely more than `limit`: the lengths differ by more, or more than `limit` letters
    of one are not in the other at all (each such letter takes an edit of its own)."""
    if abs(len(a) - len(b)) > limit:
        return True
    letters_a, letters_b = set(a), set(b)
    return len(letters_a - letters_b) > limit or len(letters_b - letters_a) > limit


def _allowed(length: int) -> int:
    return 1 if length <= 5 else 2 if length <= 10 else 3


def best_match(query: str, candidates: Sequence[Sequence[str]]) -> int | None:
    """Index of the candidate whose names best match `query`, or None when none or several do."""
    return best_key_match(normalize(query), [[normalize(n) for n in names] for names in candidates])


def best_key_match(q: str, names: Sequence[Sequence[str]]) -> int | None:
    """`best_match` of a query and names already normalised (names kept so, e.g. `Option.keys`)."""
    found = key_matches(q, names)
    return found[0] if len(found) == 1 else None


def matches(query: str, candidates: Sequence[Sequence[str]]) -> list[int]:
    """Indexes of the candidates whose names best match `query`: one, several (a tie), or none.

    Each candidate is a list of names (label, short title, aliases). Tried in order: an exact
    match, the candidates containing the query (>= 3 characters), the nearest candidates within
    a small edit distance.
    """
    return key_matches(normalize(query), [[normalize(n) for n in names] for names in candidates])


def key_matches(q: str, names: Sequence[Sequence[str]]) -> list[int]:
    """`matches` of a query and names already normalised."""
    if not q:
        return []
    exact = [i for i, ns in enumerate(names) if q in ns]
    if exact:
        return exact
    if len(q) >= 3:
        within = [i for i, ns in enumerate(names) if any(q in n for n in ns)]
        if within:
            return within
    q_compact = q.replace(" ", "")
    best: dict[int, int] = {}
    for i, ns in enumerate(names):
        for n in ns:
            limit = _allowed(len(n))
            n_compact = n.replace(" ", "")
            if _far(q, n, limit) and _far(q_compact, n_compact, limit):
                continue  # both distances would exceed the limit: not computed
            d = min(distance(q, n, limit), distance(q_compact, n_compact, limit))
            if d <= limit:
                best[i] = min(best.get(i, d), d)
    low = min(best.values(), default=0)
    return [i for i, d in best.items() if d == low]
