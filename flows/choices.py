"""The resident's answer to a choice question (agama, hubungan, sebab kematian, ...), matched to its options.

A button, a number or an option's name (or a synonym from the letter type's data) chooses it; a
typo is forgiven when one option is nearest. An answer that fits several options about equally
("cerai": Cerai Hidup or Cerai Mati?) chooses none: the resident is asked which. An answer that
begins with an option's name and says more ("sakit jantung") chooses that option, and the whole
answer is kept as its detail. A choice question whose options are Ya and Tidak is a yes/no
question, read strictly (`yes_no`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows import messages as m
from flows.choice_sets import Option
from flows.inbound import Inbound, Text
from flows.menus import Prompt, resolve
from flows.names import ascii_digits, key_matches, normalize
from flows.yes_no import choose, pair_of


@dataclass(frozen=True)
class Picked:
    value: str | None = None  # the option chosen, if one was
    detail: str | None = None  # the answer as typed, when it said more than the option's name
    candidates: tuple[Option, ...] = ()  # several options fit the answer: ask which


def _leading(text: str, options: tuple[Option, ...]) -> list[Option]:
    """The options one of whose names the answer begins with ("sakit jantung" -> Sakit)."""
    key = normalize(text)
    return [o for o in options if any(n and key.startswith(n + " ") for n in o.keys)]


def pick(inbound: Inbound, prompt: Prompt, page: int = 0) -> Picked:
    """The option the resident chose at a choice question, the detail they gave, or the options to ask between."""
    pair = pair_of(prompt.options)
    if pair is not None:
        return Picked(choose(inbound, prompt, page, yes=pair[0], no=pair[1]))
    value = resolve(inbound, prompt, page, fuzzy=False)
    if value is not None or not isinstance(inbound, Text):
        return Picked(value)
    text = inbound.text.strip()[:200]
    if ascii_digits(text):
        return Picked()
    found = [prompt.options[i] for i in key_matches(normalize(text), [o.keys for o in prompt.options])]
    if len(found) == 1:
        return Picked(found[0].value)
    if found:
        return Picked(candidates=tuple(found))
    leading = _leading(text, prompt.options)
    if len(leading) == 1:
        return Picked(leading[0].value, detail=" ".join(text.split()))
    return Picked(candidates=tuple(leading))


def unclear(picked: Picked, prompt: Prompt) -> str:
    """What to say when nothing was chosen: which of the candidates, or what to type."""
    if picked.candidates:
        return m.which_one([o.label for o in picked.candidates])
    return m.not_clear("ya", "tidak") if pair_of(prompt.options) else m.NOT_UNDERSTOOD
