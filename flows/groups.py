"""Questions about a repeated group (e.g. SKTM dependants): "tambah lagi?" and editing its rows.

The answer functions return effects when the question is to be asked again, or None when it
was answered (the caller moves on).
"""

from __future__ import annotations

from flows import messages as m
from flows.choice_sets import Option
from flows.definitions import GroupDef
from flows.formatting import display
from flows.menus import Prompt, yes_no
from flows.questions import visible
from flows.state import ConversationState
from flows.steps import Outcome, again

_ADD = Option("add", m.ADD, aliases=("tambah",))
_DONE = Option("done", m.DONE, aliases=("selesai", "cukup", "sudah"))


def row_label(group: GroupDef, row: dict[str, str]) -> str:
    shown = [display(f, row.get(f.name)) for f in group.fields if row.get(f.name) and visible(f, row)]
    return ", ".join(shown[:2]) or "(kosong)"


def ask_more(state: ConversationState, g: GroupDef) -> Prompt:
    count = len([r for r in state.draft.groups.get(g.name, []) if r])
    return Prompt(m.ask_more(g.label, count, g.prompt_more), yes_no())


def ask_edit(state: ConversationState, g: GroupDef) -> Prompt:
    rows = state.draft.groups.get(g.name, [])
    listed = [(i, row_label(g, r)) for i, r in enumerate(rows) if r]
    options = [Option(f"del:{i}", f"Hapus {g.label.lower()} ke-{i + 1} ({name})", f"Hapus {i + 1}: {name}")
               for i, name in listed]
    if len(rows) < g.max_items:
        options.append(_ADD)
    options.append(_DONE)
    return Prompt(m.edit_group(g.label, [f"- {name}" for _, name in listed]), tuple(options))


def answer_more(state: ConversationState, g: GroupDef, value: str | None) -> Outcome | None:
    """Yes: open a new row (unless the last one is unfinished). No: close the group."""
    d = state.draft
    rows = d.groups.setdefault(g.name, [])
    filled = len([r for r in rows if r])
    if value == "ya":
        if filled >= g.max_items:
            return again(state, m.MAX_ITEMS.format(n=g.max_items, label=g.label.lower()))
        if not rows or all(f.name in rows[-1] for f in g.fields if visible(f, rows[-1])):
            rows.append({})
        if g.name in d.closed:
            d.closed.remove(g.name)
    elif value == "tidak":
        if filled < g.min_items:
            return again(state, m.MIN_ITEMS.format(n=g.min_items, label=g.label.lower()))
        while rows and not rows[-1]:
            rows.pop()
        if g.name not in d.closed:
            d.closed.append(g.name)
    else:
        return again(state, m.not_clear("ya", "tidak"))
    return None


def answer_edit(state: ConversationState, g: GroupDef, value: str | None) -> Outcome | None:
    """Delete a row (and show the rows again), add one, or finish."""
    d = state.draft
    rows = d.groups.setdefault(g.name, [])
    value = value or ""
    if value.startswith("del:") and int(value[4:]) < len(rows):
        rows.pop(int(value[4:]))
        state.page = 0
        return again(state, m.DELETED)
    if value == "add" and len(rows) < g.max_items:
        rows.append({})
        if g.name in d.closed:
            d.closed.remove(g.name)
        return None
    return None if value == "done" else again(state, m.NOT_UNDERSTOOD)
