"""Checks across the answers of a draft: the `rules:` of its letter type (a death date before the
birth date, a KK number equal to the NIK, "Belum Kawin" after a saved "Kawin", ...).

Pure. `conflicts` lists the rules a draft's answers break, each with its message for the resident;
`letter_refused` and `choice_refused` hide what the profile already rules out; `recheck` is what
the engine calls before the summary: the step to go to and the message, with the field to answer
again put first in `draft.editing` (or, when the letter itself cannot be made for this resident,
the letter type dropped and the menu of letters next).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flows.choice_sets import CHOICE_SETS
from flows.definitions import FieldDef, LetterTypeDef, RuleDef
from flows.formatting import display
from flows.memo import per_object
from flows.state import Draft, Step

SAVED = "tersimpan"  # the placeholder of the profile's value in an allowed_after message


@dataclass(frozen=True)
class Conflict:
    rule: RuleDef
    message: str
    ask: str | None  # the field to answer again; None: the letter cannot be made for this resident


@dataclass(frozen=True)
class _Index:
    """A letter type's fields by name, its rules on one field alone by that field, and the rules that can
    rule the letter out with no answer given (`allowed_after` on a value the letter states); made once per type."""

    fields: dict[str, FieldDef]
    single: dict[str, tuple[RuleDef, ...]]
    stated: tuple[RuleDef, ...]


@per_object
def _index(letter: LetterTypeDef) -> _Index:
    single: dict[str, tuple[RuleDef, ...]] = {}
    for rule in letter.rules:
        if len(rule.fields) == 1:
            single[rule.fields[0]] = (*single.get(rule.fields[0], ()), rule)
    fields = {f.name: f for f in reversed(letter.fields)}  # the first field of a name wins
    stated = tuple(r for r in letter.rules if r.kind == "allowed_after" and r.fields[0] not in fields)
    return _Index(fields, single, stated)


def single_rules(letter: LetterTypeDef, name: str) -> tuple[RuleDef, ...]:
    """The rules of `letter` on the field `name` alone (which may rule out some of its choices)."""
    return _index(letter).single.get(name, ())


def field_of(letter: LetterTypeDef, name: str) -> FieldDef | None:
    return _index(letter).fields.get(name)


def _shown(letter: LetterTypeDef, name: str, value: str) -> str:
    field = field_of(letter, name)
    if field is not None:
        return display(field, value)
    return next((o.label for o in CHOICE_SETS.get(name, ()) if o.value == value), value)


def _before_or_same(earlier: str, later: str) -> bool:
    """ISO dates or 4-digit years; a year against a date is compared by year."""
    if len(earlier) == 4 or len(later) == 4:
        return earlier[:4] <= later[:4]
    return earlier <= later


def _holds(rule: RuleDef, values: list[str], saved: str, today: date) -> bool:
    match rule.kind:
        case "date_order":
            return _before_or_same(values[0], values[1])
        case "not_equal":
            return values[0] != values[1]
        case "not_after_today":
            return _before_or_same(values[0], today.isoformat())
        case "allowed_after":
            return saved not in rule.after or values[0] in rule.after[saved]


def _values(letter: LetterTypeDef, rule: RuleDef, fields: Mapping[str, str]) -> list[str]:
    if rule.kind == "allowed_after" and field_of(letter, rule.fields[0]) is None:
        return [rule.value or ""]
    return [str(fields.get(name) or "") for name in rule.fields]


def conflicts(letter: LetterTypeDef, fields: Mapping[str, str], profile: Mapping[str, str],
              today: date) -> list[Conflict]:
    """The rules of `letter` the answers break (rules with an empty value are not checked)."""
    return _broken(letter, letter.rules, fields, profile, today)


def _broken(letter: LetterTypeDef, rules: Sequence[RuleDef], fields: Mapping[str, str], profile: Mapping[str, str],
            today: date) -> list[Conflict]:
    out = []
    for rule in rules:
        if rule.kind != "allowed_after" and not all(fields.get(name) for name in rule.fields):
            continue  # an answer of the rule not given (yet): not checked
        values = _values(letter, rule, fields)
        saved = str(profile.get(rule.fields[0]) or "") if rule.kind == "allowed_after" else ""
        if not all(values) or _holds(rule, values, saved, today):
            continue
        shown = {name: _shown(letter, name, v) for name, v in zip(rule.fields, values, strict=True)}
        shown[SAVED] = _shown(letter, rule.fields[0], saved)
        ask = rule.ask or rule.fields[-1]
        out.append(Conflict(rule, rule.message.format_map(shown), ask if field_of(letter, ask) else None))
    return out


def letter_refused(letter: LetterTypeDef, profile: Mapping[str, str], today: date) -> Conflict | None:
    """The rule by which the saved profile alone rules this letter out ("Belum Menikah" for a resident
    recorded as Kawin), else None: such a letter is not listed in the menu. With no answers, the other
    rules have an empty value (not checked)."""
    stated = _index(letter).stated
    return next((c for c in _broken(letter, stated, {}, profile, today) if c.ask is None), None) if stated else None


def choice_refused(letter: LetterTypeDef, field: str, value: str, profile: Mapping[str, str],
                   today: date) -> Conflict | None:
    """The rule on `field` alone that its choice `value` breaks ("Belum Kawin" after a saved "Kawin"),
    else None: such a choice is not offered."""
    rules = _index(letter).single.get(field)
    return next(iter(_broken(letter, rules, {field: value}, profile, today)), None) if rules else None


def recheck(letter: LetterTypeDef, draft: Draft, profile: Mapping[str, str], today: date) -> tuple[Step, str] | None:
    """Before the summary: None when the answers agree, else where to go and what to say (see module doc)."""
    found = conflicts(letter, draft.fields, profile, today)
    if not found:
        return None
    first = found[0]
    if first.ask is None:
        draft.letter_type, draft.started, draft.editing = None, False, []
        return Step.LETTER, first.message
    key = f"f:{first.ask}"
    draft.editing = [key, *(k for k in draft.editing if k != key)]
    return Step.FILL, first.message
