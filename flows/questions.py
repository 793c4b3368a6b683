"""The questions of a letter type, derived from its definition and the draft's answers.

Nothing here is stored but the answers: the current question is the first of `draft.editing`
that still makes sense, else the first unanswered one in definition order (fields, group rows
and "tambah lagi?", attachments). None means everything is answered: time for the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.definitions import AttachmentDef, FieldDef, GroupDef, LetterTypeDef
from flows.memo import per_object
from flows.names import ascii_digits
from flows.state import Draft


@dataclass(frozen=True)
class FieldQuestion:
    """A field of the letter, or (with `group`) of row `index` of a group."""

    key: str
    field: FieldDef
    group: GroupDef | None = None
    index: int = 0


@dataclass(frozen=True)
class MoreQuestion:
    """ "Tambah lagi?": another row of a group, or none."""

    key: str
    group: GroupDef


@dataclass(frozen=True)
class EditQuestion:
    """The rows of a group, to delete one, add one, or finish (asked when changing a group)."""

    key: str
    group: GroupDef


@dataclass(frozen=True)
class FileQuestion:
    key: str
    attachment: AttachmentDef


Question = FieldQuestion | MoreQuestion | EditQuestion | FileQuestion


def visible(field: FieldDef, values: Mapping[str, str]) -> bool:
    return field.condition is None or values.get(field.condition.field) in field.condition.in_


@per_object
def _field_q(f: FieldDef) -> FieldQuestion:
    return FieldQuestion(f"f:{f.name}", f)


def _item_q(g: GroupDef, i: int, f: FieldDef) -> FieldQuestion:
    return FieldQuestion(f"g:{g.name}:{i}:{f.name}", f, group=g, index=i)


def _first_unanswered(letter: LetterTypeDef, draft: Draft) -> Question | None:
    """The first question not answered, in definition order: fields, then each group's rows and its
    "tambah lagi?" (answered when the group is closed), then attachments. Only that one is built."""
    fields = draft.fields
    for f in letter.fields:
        if f.name not in fields and ((c := f.condition) is None or fields.get(c.field) in c.in_):  # visible
            return _field_q(f)
    for g in letter.groups:
        for i, row in enumerate(draft.groups.get(g.name, [])):
            for f in g.fields:
                if f.name not in row and visible(f, row):
                    return _item_q(g, i, f)
        if g.name not in draft.closed:
            return MoreQuestion(f"m:{g.name}", g)
    for a in letter.attachments:
        if a.kind not in draft.attachments:
            return FileQuestion(f"a:{a.kind}", a)
    return None


def find(letter: LetterTypeDef, draft: Draft, key: str) -> Question | None:
    """The question with `key`, if it exists (and is visible) for this letter and draft."""
    kind, _, rest = key.partition(":")
    if kind == "f":
        f = next((f for f in letter.fields if f.name == rest), None)
        return _field_q(f) if f is not None and visible(f, draft.fields) else None
    if kind == "a":
        a = next((a for a in letter.attachments if a.kind == rest), None)
        return FileQuestion(key, a) if a else None
    name, _, rest = rest.partition(":")
    g = next((g for g in letter.groups if g.name == name), None)
    if g is None:
        return None
    if kind in ("m", "e"):
        return None if rest else MoreQuestion(key, g) if kind == "m" else EditQuestion(key, g)
    index, _, fname = rest.partition(":")
    rows = draft.groups.get(g.name, [])
    f = next((f for f in g.fields if f.name == fname), None)
    if kind != "g" or not ascii_digits(index) or int(index) >= len(rows) or f is None:
        return None
    return _item_q(g, int(index), f) if visible(f, rows[int(index)]) else None


def settle(letter: LetterTypeDef, draft: Draft) -> None:
    """Automatic moves: open a row while a group has fewer than min_items; close it at max_items."""
    for g in letter.groups:
        rows = draft.groups.setdefault(g.name, [])
        complete = all(f.name in row for row in rows for f in g.fields if visible(f, row))
        if g.name in draft.closed and len(rows) < g.min_items:
            draft.closed.remove(g.name)
        if g.name not in draft.closed and complete:
            if len(rows) < g.min_items:
                rows.append({})
            elif len(rows) >= g.max_items:
                draft.closed.append(g.name)


def current(letter: LetterTypeDef, draft: Draft) -> Question | None:
    settle(letter, draft)
    while draft.editing:
        q = find(letter, draft, draft.editing[0])
        if q is not None:
            return q
        draft.editing.pop(0)
    return _first_unanswered(letter, draft)


def targets(letter: LetterTypeDef, draft: Draft) -> list[tuple[str, str]]:
    """What the resident may change at the summary: (question key, label)."""
    out = [(f"f:{f.name}", f.label) for f in letter.fields if visible(f, draft.fields)]
    out += [(f"e:{g.name}", g.label) for g in letter.groups]
    out += [(f"a:{a.kind}", a.label) for a in letter.attachments]
    return out


def key_for(letter: LetterTypeDef, name: str) -> str | None:
    """The question key for a field name, group name or attachment kind (as staff name them)."""
    if any(f.name == name for f in letter.fields):
        return f"f:{name}"
    if any(g.name == name for g in letter.groups):
        return f"e:{name}"
    if any(a.kind == name for a in letter.attachments):
        return f"a:{name}"
    return None
