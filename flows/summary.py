"""The summary of a draft, its consistency checks, and the answers as they are submitted."""

from __future__ import annotations

from typing import Any

from flows import messages as m
from flows.context import Context
from flows.definitions import LetterTypeDef
from flows.formatting import display
from flows.groups import row_label
from flows.nik import identity_problems
from flows.questions import visible
from flows.state import ConversationState, Draft
from flows.steps import letter_of


def collect(letter: LetterTypeDef, d: Draft) -> dict[str, Any]:
    """The answers as submitted: visible fields ("" when skipped) and group rows (lists)."""
    out: dict[str, Any] = {f.name: d.fields.get(f.name, "") for f in letter.fields if visible(f, d.fields)}
    for g in letter.groups:
        rows = [r for r in d.groups.get(g.name, []) if r]
        out[g.name] = [{f.name: r.get(f.name, "") for f in g.fields if visible(f, r)} for r in rows]
    return out


def problems(letter: LetterTypeDef, d: Draft) -> list[str]:
    """Conflicts between answers (a NIK that does not fit the sex or birth date given)."""
    found = []
    for values, where in [(d.fields, ""), *((r, f" ({g.label} ke-{i + 1})") for g in letter.groups
                                             for i, r in enumerate(d.groups.get(g.name, [])))]:
        for name, value in values.items():
            if name == "nik" or name.startswith("nik_"):
                found += [p + where for p in identity_problems(name, value, values)]
    return found


def summary_text(state: ConversationState, ctx: Context) -> str:
    letter, d = letter_of(state, ctx), state.draft
    kel = ctx.directory.get(d.kelurahan_slug)
    if letter is None or kel is None:
        return m.NOT_UNDERSTOOD
    lines = [m.summary_heading(letter.title, kel.name, kel.kecamatan)]
    if d.revision_of is not None:
        lines.append(f"(Perbaikan permohonan {m.request_name(d.revision_code, d.revision_of)})")
    lines.append("")
    lines += [f"{f.label}: {display(f, d.fields.get(f.name)) or '-'}" for f in letter.fields if visible(f, d.fields)]
    for g in letter.groups:
        rows = [r for r in d.groups.get(g.name, []) if r]
        lines.append(f"{g.label}: {'(tidak ada)' if not rows else ''}".rstrip())
        lines += [f"  {i}) {row_label(g, r)}" for i, r in enumerate(rows, 1)]
    lines += [f"{a.label}: {'terlampir' if d.attachments.get(a.kind) else 'tidak dilampirkan'}"
              for a in letter.attachments]
    return "\n".join(lines)
