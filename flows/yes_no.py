"""Yes/no questions, read strictly: consent (UU No. 27 Tahun 2022), confirmations, "apakah ...?".

A yes/no answer is never fuzzy-matched (a slang refusal is a small edit away from an agreement).
`read` knows a few hundred ways of saying yes or no and nothing else: a negation anywhere
("tidak", "gak", "nggak", "jangan", "belum", ...) means no, or unsure when a yes-word comes
before it ("setuju gak?", "ya tidak") or the message asks something back; a word it does not
know makes it unsure. `choose` is what every yes/no step calls: a button, a number or an
option's exact name first (but never a yes when there is a negation), then `read`.
"""

from __future__ import annotations

import re
from typing import Literal

from flows.choice_sets import Option
from flows.inbound import Inbound, Text
from flows.menus import Prompt, resolve

Said = Literal["ya", "tidak"] | None
YES: Literal["ya"] = "ya"
NO: Literal["tidak"] = "tidak"

NEGATIONS = frozenset({
    "tidak", "tdk", "tida", "tak", "gak", "ga", "gk", "g", "nggak", "ngga", "nggk", "ngk", "enggak", "engga", "kagak",
    "ndak", "nda", "no", "n", "nope", "not", "dont", "jangan", "jgn", "bukan", "bkn", "belum", "blm", "ogah", "emoh",
    "moh", "tolak", "menolak", "keberatan", "never",
})
# Yes by themselves ("iya", "oke").
AFFIRMATIONS = frozenset({
    "ya", "iya", "y", "yes", "yup", "yoi", "ok", "oke", "okay", "okey", "okeh", "sip", "siap", "benar",
    "betul", "bener",
    "baik", "tentu", "pasti", "yakin", "sure",
})
# What is agreed to or refused ("setuju", "tidak mau").
VERBS = frozenset({
    "setuju", "menyetujui", "sepakat", "mau", "boleh", "bersedia", "izinkan", "mengizinkan", "agree",
})  # not "lanjut" (going on is not agreeing); a question's own options may still say it
# Words that change nothing ("saya setuju dong", "iya pak").
FILLERS = frozenset({
    "saya", "sy", "aku", "gue", "gw", "kami", "sudah", "udah", "sdh", "dah", "dong", "deh", "kok", "sih", "lah",
    "kak", "pak", "bu", "bang", "mas", "mbak", "min", "admin", "sangat", "sekali", "banget", "bgt", "saja", "aja",
    "silakan", "silahkan", "dengan", "itu", "ini", "tersebut", "nya", "data", "pemrosesan", "pribadi", "i", "do",
    "tentunya", "terima", "kasih", "makasih", "terimakasih",
})
_WORD = re.compile(r"[a-z]+")


def _squeeze(word: str) -> str:
    """A word with its repeated letters once ("iyaaa" -> "iya", "gakk" -> "gak")."""
    return re.sub(r"(.)\1+", r"\1", word)


_NEG, _AFF, _VERB, _FILL = ({_squeeze(w) for w in s} for s in (NEGATIONS, AFFIRMATIONS, VERBS, FILLERS))


def _kind(word: str) -> str | None:
    w = _squeeze(word)
    for kind, words in (("neg", _NEG), ("aff", _AFF), ("verb", _VERB), ("fill", _FILL)):
        if word in words or w in words:
            return kind
    return None


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("'", ""))


def negated(text: str) -> bool:
    """The answer contains a negation word."""
    return any(_kind(w) == "neg" for w in words_of(text))


def read(text: str) -> Said:
    """Yes, no, or None (unsure) for a typed answer to a yes/no question."""
    kinds = [_kind(w) for w in words_of(text)[:12]]
    if not kinds or None in kinds or "?" in text:
        return None
    if "neg" not in kinds:
        return YES if {"aff", "verb"} & set(kinds) else None
    first_neg = kinds.index("neg")
    if any(k in ("aff", "verb") for k in kinds[:first_neg]) and "verb" not in kinds[first_neg:]:
        return None  # "setuju gak", "ya tidak": asked back, or both said
    if "verb" in kinds[:first_neg]:
        return None  # "mau gak setuju": unclear
    return NO


def choose(inbound: Inbound, prompt: Prompt, page: int = 0, *, yes: str = YES, no: str = NO) -> str | None:
    """The value chosen at a yes/no question (`yes`, `no`, or another option of the prompt), or None.

    A button or a number shown, then an option's exact name (not when the text asks something back,
    nor the yes option when it holds a negation), then the strict reading of the text. Never a
    fuzzy match.
    """
    value = resolve(inbound, prompt, page, fuzzy=False)
    text = inbound.text if isinstance(inbound, Text) else ""
    if value is not None and not ("?" in text or (value == yes and negated(text))):
        return value
    said = read(text) if text else None
    return yes if said == YES else no if said == NO else None


def pair_of(options: tuple[Option, ...]) -> tuple[str, str] | None:
    """The values of the "Ya" and "Tidak" options of a choice question that is a yes/no question."""
    by_label = {o.label.casefold(): o.value for o in options}
    return (by_label[YES], by_label[NO]) if YES in by_label and NO in by_label else None
