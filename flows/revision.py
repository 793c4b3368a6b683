"""Staff asked for a correction: reopen the request at exactly the fields in question (the other answers
and the files already sent are kept; a file in question may be kept too). A note that names nothing
lets the resident choose what to correct."""

from __future__ import annotations

from flows import messages as m
from flows.context import Context
from flows.definitions import LetterTypeDef
from flows.effects import Reply
from flows.inbound import RevisionRequested
from flows.questions import key_for, targets
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, proceed


def _draft(letter: LetterTypeDef, kecamatan: str, rev: RevisionRequested) -> Draft:
    d = Draft(kecamatan=kecamatan, kelurahan_slug=rev.kelurahan_slug, letter_type=letter.code, started=True,
              revision_of=rev.request_id, revision_code=rev.code or None, staff_note=rev.note or None)
    for f in letter.fields:
        value = rev.fields.get(f.name)
        if value is not None:
            d.fields[f.name] = str(value)
        elif not f.required:
            d.fields[f.name] = ""
    for g in letter.groups:
        rows = rev.fields.get(g.name)
        names = {f.name for f in g.fields}
        d.groups[g.name] = [{k: str(v) for k, v in row.items() if k in names and v is not None}
                            for row in (rows if isinstance(rows, list) else []) if isinstance(row, dict)]
        d.closed.append(g.name)
    for a in letter.attachments:
        ref = rev.attachments.get(a.kind)
        if ref or not a.required:
            d.attachments[a.kind] = ref or ""
    keys = (key_for(letter, name) for name in rev.fields_to_fix)
    d.editing = list(dict.fromkeys(k for k in keys if k))
    return d


def start_revision(state: ConversationState, ctx: Context, rev: RevisionRequested) -> Outcome:
    """Begin correcting `rev`; a draft under way is put aside (and offered again afterwards)."""
    letter, kel = ctx.catalogue.get(rev.letter_type), ctx.directory.get(rev.kelurahan_slug)
    if letter is None or kel is None or not letter.online:
        return [Reply(text=m.BAD_REVISION)]
    d = state.draft
    if d.revision_of == rev.request_id:
        return again(state)
    if d.revision_of is not None or (d.has_answers() and state.stash is not None):
        state.queued.append(rev)
        return again(state, m.QUEUED_REVISION)
    if d.has_answers():
        state.stash = d
    state.draft, state.consent = _draft(letter, kel.kecamatan, rev), True
    labels = [label for key, label in targets(letter, state.draft) if key in state.draft.editing]
    intro = m.revision_intro(m.request_name(rev.code, rev.request_id), rev.note, labels)
    if not state.draft.editing:  # nothing named: the resident picks what to correct (then the summary)
        state.draft.reviewed = True
        return goto(state, Step.FIX_PICK, intro)
    return proceed(state, ctx, intro)

