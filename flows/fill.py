"""The FILL step: the current question of the draft (a field, a group row's field, "tambah lagi?",
an upload, or the rows of a group to edit), asked and answered; group questions are in `groups`."""

from __future__ import annotations

from flows import messages as m
from flows.choice_sets import Option, options_for
from flows.context import Context
from flows.definitions import LetterTypeDef
from flows.effects import Effect
from flows.formatting import display
from flows.groups import answer_edit, answer_more, ask_edit, ask_more
from flows.inbound import FileReceived, Text
from flows.menus import Prompt, resolve
from flows.questions import Question, current
from flows.state import ConversationState, Step
from flows.steps import again, letter_of, proceed, register, today
from flows.validators import FieldError, identity_problems, validate, validate_upload

SKIP = Option("__skip", m.SKIP, aliases=("-", "lewati", "tidak ada", "kosong", "skip"))
KEEP = Option("__keep", m.KEEP, aliases=("tetap", "sama", "tidak diubah"))
FILE_HINT = "(Kirim sebagai foto atau dokumen JPG, PNG, atau PDF; paling besar 10 MB.)"


def _store(state: ConversationState, q: Question) -> dict[str, str]:
    """Where the answer to `q` lives: the draft's fields or the row of its group."""
    if q.kind == "item" and q.group is not None:
        return state.draft.groups[q.group.name][q.index]
    return state.draft.fields


def _ask_field(state: ConversationState, q: Question) -> Prompt:
    f, store = q.field, _store(state, q)
    assert f is not None
    parts = [m.item_heading(q.group.label, q.index + 1)] if q.kind == "item" and q.group else []
    parts.append(f.prompt)
    options = list(options_for(f)) if f.type == "choice" else []
    if f.name in store:
        if store[f.name]:
            parts.append(m.previous_answer(display(f, store[f.name])))
        options.append(KEEP)
    if not f.required:
        parts.append(m.SKIP_HINT)
        options.append(SKIP)
    return Prompt("\n".join(parts), tuple(options))


def _ask_file(state: ConversationState, q: Question) -> Prompt:
    a = q.attachment
    assert a is not None
    text, options = f"{a.prompt}\n{FILE_HINT}", []
    if state.draft.attachments.get(a.kind):
        text += "\nBerkas sudah terlampir. Kirim berkas baru, atau pilih Tetap."
        options.append(KEEP)
    if not a.required:
        options.append(SKIP)
    return Prompt(text, tuple(options), attachment_kind=a.kind)


def _question(state: ConversationState, ctx: Context) -> tuple[LetterTypeDef, Question] | None:
    letter = letter_of(state, ctx)
    q = current(letter, state.draft) if letter else None
    return (letter, q) if letter and q else None


def ask_fill(state: ConversationState, ctx: Context) -> Prompt:
    found = _question(state, ctx)
    if found is None:
        return Prompt(m.REVIEW)
    q = found[1]
    if q.kind in ("field", "item"):
        return _ask_field(state, q)
    if q.kind == "file":
        return _ask_file(state, q)
    assert q.group is not None
    return ask_edit(state, q.group) if q.kind == "edit" else ask_more(state, q.group)


def _done(state: ConversationState, ctx: Context, key: str) -> list[Effect]:
    d = state.draft
    if d.editing and d.editing[0] == key:
        d.editing.pop(0)
    if not d.history or d.history[-1] != key:
        d.history = [*d.history, key][-200:]
    return proceed(state, ctx)


def _answer_field(state: ConversationState, ctx: Context, q: Question, inbound: object) -> list[Effect]:
    f, store, prompt = q.field, _store(state, q), ask_fill(state, ctx)
    assert f is not None
    if isinstance(inbound, FileReceived):
        return again(state, ctx, m.NOT_A_FILE_STEP)
    fresh = f.name not in store
    if f.type == "choice":
        value = resolve(inbound, prompt, state.page)
        if value is None:
            return again(state, ctx, m.NOT_UNDERSTOOD)
        problems = identity_problems(f.name, value, store) if fresh and value not in (KEEP.value, SKIP.value) else []
        if problems:
            return again(state, ctx, " ".join(problems))
    else:
        value = resolve(inbound, prompt, state.page, numbers=False, fuzzy=False)
        if value is None and isinstance(inbound, Text):
            try:
                value = validate(f, inbound.text, today(ctx), store if fresh else None)
            except FieldError as e:
                value = resolve(inbound, prompt, state.page, names=False)
                if value is None:
                    return again(state, ctx, str(e))
        if value is None:
            return again(state, ctx, m.NOT_UNDERSTOOD)
    if value != KEEP.value:
        store[f.name] = "" if value == SKIP.value else value
    return _done(state, ctx, q.key)


def _answer_file(state: ConversationState, ctx: Context, q: Question, inbound: object) -> list[Effect]:
    assert q.attachment is not None
    kind = q.attachment.kind
    if isinstance(inbound, FileReceived):
        try:
            validate_upload(inbound.media_type, inbound.size)
        except FieldError as e:
            return again(state, ctx, str(e))
        if not inbound.file_ref:
            return again(state, ctx, m.FILE_EXPECTED)
        state.draft.attachments[kind] = inbound.file_ref
        return _done(state, ctx, q.key)
    value = resolve(inbound, ask_fill(state, ctx), state.page)
    if value == SKIP.value:
        state.draft.attachments[kind] = ""
    elif value != KEEP.value:
        return again(state, ctx, m.FILE_EXPECTED)
    return _done(state, ctx, q.key)


def _answer_more(state: ConversationState, ctx: Context, q: Question, inbound: object) -> list[Effect]:
    assert q.group is not None
    value = resolve(inbound, ask_more(state, q.group), state.page)
    return answer_more(state, ctx, q.group, value) or _done(state, ctx, q.key)


def _answer_edit(state: ConversationState, ctx: Context, q: Question, inbound: object) -> list[Effect]:
    assert q.group is not None
    value = resolve(inbound, ask_edit(state, q.group), state.page)
    if (effects := answer_edit(state, ctx, q.group, value)) is not None:
        return effects
    state.draft.editing.pop(0)
    return proceed(state, ctx)


_ANSWER = {"field": _answer_field, "item": _answer_field, "more": _answer_more, "file": _answer_file,
           "edit": _answer_edit}


def on_fill(state: ConversationState, ctx: Context, inbound: object) -> list[Effect]:
    found = _question(state, ctx)
    if found is None:
        return proceed(state, ctx)
    return _ANSWER[found[1].kind](state, ctx, found[1], inbound)


register(Step.FILL, ask_fill, on_fill)
