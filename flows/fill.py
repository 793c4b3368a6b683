"""The FILL step: the current question of the draft (a field, a group row's field, "tambah lagi?",
an upload, or the rows of a group to edit), asked and answered; group questions are in `groups`."""

from __future__ import annotations

from flows import messages as m
from flows.choices import pick, unclear
from flows.context import Context
from flows.fill_prompts import KEEP, SKIP, ask_field, ask_file, refusal, store_of
from flows.groups import answer_edit, answer_more, ask_edit, ask_more
from flows.inbound import FileReceived, Inbound, Text
from flows.menus import Prompt, resolve
from flows.nik import identity_problems
from flows.questions import EditQuestion, FieldQuestion, FileQuestion, MoreQuestion, Question, current
from flows.state import ConversationState
from flows.steps import Outcome, again, letter_of, proceed, today
from flows.validators import FieldError, validate, validate_upload
from flows.yes_no import choose


def _question(state: ConversationState, ctx: Context) -> Question | None:
    letter = letter_of(state, ctx)
    return current(letter, state.draft) if letter else None


def ask_fill(state: ConversationState, ctx: Context) -> Prompt:
    match _question(state, ctx):
        case FieldQuestion() as q:
            return ask_field(state, ctx, q)
        case FileQuestion() as q:
            return ask_file(state, ctx, q)
        case EditQuestion(group=g):
            return ask_edit(state, g)
        case MoreQuestion(group=g):
            return ask_more(state, g)
        case None:
            return Prompt(m.REVIEW)


def _done(state: ConversationState, ctx: Context, key: str) -> Outcome:
    d = state.draft
    if d.editing and d.editing[0] == key:
        d.editing.pop(0)
    if not d.history or d.history[-1] != key:
        d.history = [*d.history, key][-200:]
    return proceed(state, ctx)


def _answer_field(state: ConversationState, ctx: Context, q: FieldQuestion, inbound: Inbound) -> Outcome:
    f, store, prompt = q.field, store_of(state, q), ask_field(state, ctx, q)  # q: the current question
    if isinstance(inbound, FileReceived):
        return again(state, m.NOT_A_FILE_STEP)
    fresh = f.name not in store
    if f.type == "choice":
        picked = pick(inbound, prompt, state.page)
        value = picked.value
        if value is None:
            return again(state, refusal(state, ctx, q, inbound) or unclear(picked, prompt))
        problems = identity_problems(f.name, value, store) if fresh and value not in (KEEP.value, SKIP.value) else []
        if problems:
            return again(state, " ".join(problems))
        if f.detail and picked.detail:
            store[f.detail] = picked.detail
        elif f.detail and value not in (KEEP.value, store.get(f.name)):
            store.pop(f.detail, None)  # another choice: its detail is asked again (when it applies)
    else:
        value = resolve(inbound, prompt, state.page, numbers=False, fuzzy=False)
        if value is None and isinstance(inbound, Text):
            try:
                value = validate(f, inbound.text, today(ctx), store if fresh else None)
            except FieldError as e:
                value = resolve(inbound, prompt, state.page, names=False)
                if value is None:
                    return again(state, str(e))
        if value is None:
            return again(state, m.NOT_UNDERSTOOD)
    if value != KEEP.value:
        store[f.name] = "" if value == SKIP.value else value
    return _done(state, ctx, q.key)


def _answer_file(state: ConversationState, ctx: Context, q: FileQuestion, inbound: Inbound) -> Outcome:
    kind = q.attachment.kind
    if isinstance(inbound, FileReceived):
        if inbound.refused:
            return again(state, inbound.refused)
        try:
            validate_upload(inbound.media_type, inbound.size, ctx.upload_max_bytes)
        except FieldError as e:
            return again(state, str(e))
        if not inbound.file_ref:
            return again(state, m.file_expected(ctx.upload_max_bytes))
        state.draft.attachments[kind] = inbound.file_ref
        return _done(state, ctx, q.key)
    value = resolve(inbound, ask_file(state, ctx, q), state.page)  # q: the current question
    if value == SKIP.value:
        state.draft.attachments[kind] = ""
    elif value != KEEP.value:
        return again(state, m.file_expected(ctx.upload_max_bytes))
    return _done(state, ctx, q.key)


def _answer_edit(state: ConversationState, ctx: Context, q: EditQuestion, inbound: Inbound) -> Outcome:
    value = resolve(inbound, ask_edit(state, q.group), state.page)
    if (effects := answer_edit(state, q.group, value)) is not None:
        return effects
    state.draft.editing.pop(0)
    return proceed(state, ctx)


def on_fill(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    match _question(state, ctx):
        case FieldQuestion() as q:
            return _answer_field(state, ctx, q, inbound)
        case FileQuestion() as q:
            return _answer_file(state, ctx, q, inbound)
        case EditQuestion() as q:
            return _answer_edit(state, ctx, q, inbound)
        case MoreQuestion() as q:
            value = choose(inbound, ask_more(state, q.group), state.page)
            return answer_more(state, q.group, value) or _done(state, ctx, q.key)
        case None:
            return proceed(state, ctx)
