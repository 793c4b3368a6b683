"""The prompts of the FILL step: a field's question (with its options, the answer given before, how to skip
it), an upload's, and the options they add (skip, keep the answer or the file)."""

from __future__ import annotations

from flows import messages as m
from flows.choice_sets import Option, options_for
from flows.choices import pick
from flows.context import Context
from flows.cross_checks import choice_refused, single_rules
from flows.definitions import AttachmentDef, FieldDef
from flows.formatting import display
from flows.inbound import Inbound
from flows.memo import per_object
from flows.menus import Prompt
from flows.questions import FieldQuestion, FileQuestion
from flows.state import ConversationState
from flows.steps import letter_of, today

SKIP = Option("__skip", m.SKIP, aliases=("-", "lewati", "tidak ada", "kosong", "skip"))
KEEP = Option("__keep", m.KEEP, aliases=("tetap", "sama", "tidak diubah"))
KEEP_FILE = Option(KEEP.value, m.KEEP_FILE, aliases=("lanjut", "pakai", "pakai berkas lama", *KEEP.aliases))


def store_of(state: ConversationState, q: FieldQuestion) -> dict[str, str]:
    """Where the answer to `q` lives: the draft's fields or the row of its group."""
    if q.group is not None:
        return state.draft.groups[q.group.name][q.index]
    return state.draft.fields


def _offered(state: ConversationState, ctx: Context, q: FieldQuestion) -> list[Option]:
    """A choice field's options but those its letter's rules rule out for this resident ("Belum Kawin"
    after a saved "Kawin")."""
    letter = letter_of(state, ctx)
    if q.group is not None or letter is None:
        return list(options_for(q.field))
    return [o for o in options_for(q.field)
            if choice_refused(letter, q.field.name, o.value, ctx.profile, today(ctx)) is None]


def refusal(state: ConversationState, ctx: Context, q: FieldQuestion, inbound: Inbound) -> str | None:
    """Why a choice typed but not offered is refused (its rule's message), else None."""
    letter = letter_of(state, ctx)
    value = pick(inbound, Prompt("", options_for(q.field))).value
    refused = choice_refused(letter, q.field.name, value, ctx.profile, today(ctx)) if letter and value else None
    return refused.message if refused else None


def ask_field(state: ConversationState, ctx: Context, q: FieldQuestion) -> Prompt:
    f, store = q.field, store_of(state, q)
    if q.group is None and f.name not in store:
        letter = letter_of(state, ctx)
        if letter is None or not single_rules(letter, f.name):
            return _first_asked(f)  # what the code below gives, made once: asked the first time, it is the same
    parts = [m.item_heading(q.group.label, q.index + 1)] if q.group is not None else []
    parts.append(f.prompt)
    options = _offered(state, ctx, q) if f.type == "choice" else []
    if f.name in store:
        if store[f.name]:
            parts.append(m.previous_answer(display(f, store[f.name])))
        options.append(KEEP)
    if not f.required:
        parts.append(m.SKIP_HINT)
        options.append(SKIP)
    return Prompt("\n".join(parts), tuple(options))


def ask_file(state: ConversationState, ctx: Context, q: FileQuestion) -> Prompt:
    a = q.attachment
    if not state.draft.attachments.get(a.kind):  # the same for everyone: made once per upload limit
        first = _first_file_asks(a)
        if ctx.upload_max_bytes not in first:
            first[ctx.upload_max_bytes] = _file_prompt(a, ctx.upload_max_bytes, attached=False)
        return first[ctx.upload_max_bytes]
    return _file_prompt(a, ctx.upload_max_bytes, attached=True)


@per_object
def _first_file_asks(a: AttachmentDef) -> dict[int, Prompt]:
    return {}


def _file_prompt(a: AttachmentDef, upload_max_bytes: int, *, attached: bool) -> Prompt:
    text, options = f"{a.prompt}\n{m.file_hint(upload_max_bytes)}", []
    if attached:
        text += f"\n{m.FILE_ATTACHED}"
        options.append(KEEP_FILE)
    if not a.required:
        options.append(SKIP)
    return Prompt(text, tuple(options), attachment_kind=a.kind)


@per_object
def _first_asked(f: FieldDef) -> Prompt:
    """`ask_field` of a field of the letter not answered yet, whose options no rule narrows: one prompt per
    field (and so one rendering of it, `Prompt.first_page`)."""
    options = list(options_for(f)) if f.type == "choice" else []
    parts = [f.prompt]
    if not f.required:
        parts.append(m.SKIP_HINT)
        options.append(SKIP)
    return Prompt("\n".join(parts), tuple(options))
