"""Capitals for what residents type in lower case: places, addresses, occupations, as names are.

"jl. tjilik riwut km 5 rt 3/rw 2" -> "Jl. Tjilik Riwut Km 5 RT 3/RW 2"; "rsud dr. doris sylvanus"
-> "RSUD dr. Doris Sylvanus"; "buruh harian lepas" -> "Buruh Harian Lepas". Only text typed all
in lower case is changed (what a resident capitalised is theirs), like `validators.validate_name`.
"""

from __future__ import annotations

import re

# Abbreviations written in capitals, and small words kept in lower case inside a phrase.
UPPER = frozenset({
    "rt", "rw", "rsud", "rs", "rsia", "rsu", "tni", "polri", "pns", "asn", "bumn", "bumd", "pt", "cv", "ud",
    "sd", "smp", "sma", "smk", "mi", "mts", "ma", "tk", "kpr", "btn", "perumnas", "bpjs", "dprd", "ojk",
})
LOWER = frozenset({"dan", "di", "ke", "dari", "atau", "yang", "dr.", "dr"})
_ROMAN = re.compile(r"^(?=[ivx]+$)x{0,3}(ix|iv|v?i{0,3})$")
_PIECES = re.compile(r"([/\-(])")


def _word(word: str, first: bool) -> str:
    bare = word.strip(".,;:()")
    if bare in UPPER or (bare and _ROMAN.match(bare)):
        return word.upper()
    if not first and (word in LOWER or bare in LOWER):
        return word
    return word[:1].upper() + word[1:]


def title_case(text: str) -> str:
    """`text` with capitals as on a KTP (see module doc); unchanged unless typed all in lower case."""
    if not text.islower():
        return text
    words = []
    for i, word in enumerate(text.split(" ")):
        pieces = _PIECES.split(word)
        words.append("".join(p if p in "/-(" else _word(p, i == 0 or j > 0) for j, p in enumerate(pieces)))
    return " ".join(words)


def place(text: str) -> str:
    """A place as it goes into "di {tempat}": without a typed leading "di", capitalised."""
    stripped = re.sub(r"^di\s+", "", text.strip(), flags=re.IGNORECASE)
    return title_case(stripped or text)
