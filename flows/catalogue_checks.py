"""Checks of a letter type beyond its schema: names, choices, conditions and template placeholders.

`check_letter_type` returns (field path, message) of the first problem, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import Formatter

from flows.choice_sets import CHOICE_SETS, TITLE_MAX, options_for
from flows.definitions import FieldDef, LetterTypeDef, RuleDef
from flows.effects import MAX_VALUE_BYTES
from flows.formatting import CONTEXT_NAMES, ROW_NAMES, derived_names

Problem = tuple[str, str]


def _check_fields(fields: Sequence[FieldDef], where: str, outer: set[str]) -> Problem | None:
    seen: dict[str, FieldDef] = {}
    for i, f in enumerate(fields):
        at = f"{where}[{i}]({f.name})"
        if not f.name.isidentifier():
            return f"{at}.name", "must be a lower-case identifier"
        if f.name in seen or f.name in outer:
            return f"{at}.name", f"duplicate field name {f.name!r}"
        if f.type == "choice":
            if (f.choices is None) == (f.choice_set is None):
                return f"{at}.choices", "a choice field needs exactly one of `choices` or `choice_set`"
            if f.choice_set is not None and f.choice_set not in CHOICE_SETS:
                return f"{at}.choice_set", f"unknown choice set {f.choice_set!r} (known: {', '.join(CHOICE_SETS)})"
            if f.choices is not None and (not f.choices or any(len(c.encode()) > MAX_VALUE_BYTES for c in f.choices)):
                return f"{at}.choices", f"needs at least one choice, each at most {MAX_VALUE_BYTES} bytes"
        elif f.choices is not None or f.choice_set is not None:
            return f"{at}.choices", "only fields of type `choice` have choices"
        if f.min_length > f.max_length:
            return f"{at}.min_length", "is larger than max_length"
        if f.condition is not None:
            ref = seen.get(f.condition.field)
            if ref is None or ref.type != "choice":
                return f"{at}.condition.field", f"{f.condition.field!r} is not an earlier choice field"
            values = {o.value for o in options_for(ref)}
            unknown = [v for v in f.condition.in_ if v not in values]
            if unknown:
                return f"{at}.condition.in", f"{unknown} are not values of {ref.name!r} ({sorted(values)})"
        seen[f.name] = f
    for i, f in enumerate(fields):
        if f.detail is not None:
            target = next((t for t in fields if t.name == f.detail), None)
            if target is None or target.type != "text" or target.required:
                return f"{where}[{i}]({f.name}).detail", f"{f.detail!r} is not an optional text field of the same list"
    return None


def _placeholders(text: str) -> list[str]:
    try:
        return [name for _, name, _, _ in Formatter().parse(text) if name is not None]
    except ValueError as e:
        return [f"<{e}>"]


def _check_template(letter: LetterTypeDef) -> Problem | None:
    t = letter.template
    names = {f.name for f in letter.fields} | derived_names(letter.fields)
    allowed = names | set(CONTEXT_NAMES) | {f"jumlah_{g.name}" for g in letter.groups}
    for i, name in enumerate(t.identity):
        if name not in names:
            return f"template.identity[{i}]", f"unknown field {name!r}"
    texts = [("template.title", t.title), ("template.opening", t.opening), ("template.closing", t.closing)]
    texts += [(f"template.statement[{i}]", s) for i, s in enumerate(t.statement)]
    for where, text in texts:
        bad = [n for n in _placeholders(text) if n not in allowed]
        if bad:
            return where, f"unknown placeholder {{{bad[0]}}}"
    if t.purpose_field is not None and letter.online and t.purpose_field not in names:
        return "template.purpose_field", f"unknown field {t.purpose_field!r}"
    if t.table is not None:
        group = next((g for g in letter.groups if g.name == t.table.group), None)
        if group is None:
            return "template.table.group", f"unknown group {t.table.group!r}"
        row_names = {f.name for f in group.fields} | derived_names(group.fields) | set(ROW_NAMES)
        for i, column in enumerate(t.table.columns):
            if column.field not in row_names:
                return f"template.table.columns[{i}].field", f"unknown field {column.field!r} of {group.name!r}"
    return None


_RULE_TYPES = {"date_order": ({"date", "year"}, 2), "not_equal": (None, 2), "not_after_today": ({"date"}, 1),
               "allowed_after": ({"choice"}, 1)}


def _check_rule(letter: LetterTypeDef, rule: RuleDef, at: str) -> Problem | None:
    types, count = _RULE_TYPES[rule.kind]
    if len(rule.fields) != count:
        return f"{at}.fields", f"a {rule.kind} rule names {count} field(s)"
    fields = {f.name: f for f in letter.fields}
    stated = rule.kind == "allowed_after" and rule.fields[0] not in fields and rule.value is not None
    for name in rule.fields:
        f = fields.get(name)
        if f is None and not (stated and name in CHOICE_SETS):
            return f"{at}.fields", f"unknown field {name!r}"
        if f is not None and types is not None and f.type not in types:
            return f"{at}.fields", f"{name!r} is a {f.type} field; a {rule.kind} rule needs {sorted(types)}"
    if rule.ask is not None and rule.ask not in rule.fields:
        return f"{at}.ask", f"{rule.ask!r} is not one of the rule's fields"
    if rule.kind == "allowed_after":
        field = fields.get(rule.fields[0])
        values = {o.value for o in (options_for(field) if field else CHOICE_SETS[rule.fields[0]])}
        used = [*rule.after, *(v for vs in rule.after.values() for v in vs), *([rule.value] if rule.value else [])]
        if not rule.after or any(v not in values for v in used):
            return f"{at}.after", f"needs saved value -> allowed values, all of {sorted(values)}"
    elif rule.after or rule.value is not None:
        return f"{at}.after", "only allowed_after rules have `after` and `value`"
    bad = [n for n in _placeholders(rule.message) if n not in {*rule.fields, "tersimpan"}]
    if bad:
        return f"{at}.message", f"unknown placeholder {{{bad[0]}}} (use the rule's fields, or {{tersimpan}})"
    return None


def check_letter_type(letter: LetterTypeDef) -> Problem | None:
    top = {f.name for f in letter.fields}
    problem = _check_fields(letter.fields, "fields", set())
    for i, g in enumerate(letter.groups):
        if problem:
            break
        if g.name in top or not g.fields or g.min_items > g.max_items or g.max_items < 1:
            return f"groups[{i}]({g.name})", "needs a unique name, fields, and 0 <= min_items <= max_items >= 1"
        problem = _check_fields(g.fields, f"groups[{i}]({g.name}).fields", set())
    if problem:
        return problem
    kinds = [a.kind for a in letter.attachments]
    if len(set(kinds)) != len(kinds):
        return "attachments", "each attachment kind may appear once"
    if letter.online and not letter.fields:
        return "fields", "an online letter type needs fields"
    if not letter.online and not letter.visit_note:
        return "visit_note", "a letter type that needs a visit (online: false) needs a visit_note"
    if len(letter.short_title) > TITLE_MAX:
        return "short_title", f"at most {TITLE_MAX} characters"
    for i, rule in enumerate(letter.rules):
        if problem := _check_rule(letter, rule, f"rules[{i}]"):
            return problem
    return _check_template(letter)
