"""Steps after the questions: summary, changing an answer, submission; confirming a cancellation;
resuming a paused draft."""

from __future__ import annotations

import re

from flows import messages as m
from flows.choice_sets import Option
from flows.context import Context
from flows.effects import CancelRequest, Reply, SaveProfile, SubmitRequest
from flows.inbound import Inbound, Text
from flows.menus import Prompt, resolve
from flows.names import best_match
from flows.questions import targets
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, letter_of, reenter
from flows.summary import collect, problems
from flows.yes_no import choose

_CHANGE = re.compile(r"^\s*(?:ubah|ganti|perbaiki|koreksi|edit)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


_SUMMARY_OPTIONS = (
    Option("kirim", m.SEND, aliases=("ya", "benar", "sudah benar", "betul", "kirimkan")),
    Option("ubah", m.CHANGE, aliases=("ubah", "ganti", "perbaiki", "salah")),
    Option("batal", m.CANCEL, aliases=("batalkan",)),
)
_SUMMARY = Prompt(m.REVIEW, _SUMMARY_OPTIONS)  # rendered once


def ask_summary(state: ConversationState, ctx: Context) -> Prompt:
    letter = letter_of(state, ctx)
    warn = problems(letter, state.draft) if letter else []
    if not warn:
        return _SUMMARY
    return Prompt("\n".join([*(f"Perhatian: {p}" for p in warn), m.REVIEW]), _SUMMARY_OPTIONS)




def _target(state: ConversationState, ctx: Context, text: str) -> str | None:
    letter = letter_of(state, ctx)
    options = targets(letter, state.draft) if letter else []
    names = [[label, key[2:], key[2:].replace("_", " ")] for key, label in options]
    found = best_match(text, names) if text.strip() else None
    return options[found][0] if found is not None else None


def _change(state: ConversationState, key: str) -> Outcome:
    state.draft.editing = [key]
    return goto(state, Step.FILL)


def _submit(state: ConversationState, ctx: Context) -> Outcome:
    letter, d = letter_of(state, ctx), state.draft
    if letter is None or d.kelurahan_slug is None:
        return reenter(state, ctx)
    if problems(letter, d):
        return again(state)
    fields = collect(letter, d)
    attachments: dict[str, str] = {
        a.kind: d.attachments[a.kind] for a in letter.attachments if d.attachments.get(a.kind)
    }
    effects: Outcome = [SubmitRequest(kelurahan_slug=d.kelurahan_slug, letter_type=letter.code,
                                      fields=fields, attachments=attachments, revision_of=d.revision_of)]
    saved = {f.name: fields[f.name] for f in letter.fields if f.profile and fields.get(f.name)}
    profile = {**ctx.profile, **saved}
    if profile != dict(ctx.profile):
        effects.append(SaveProfile(profile=profile))
    state.draft, state.step, state.page = Draft(), Step.IDLE, 0
    return effects


def on_summary(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    change = _CHANGE.match(inbound.text) if isinstance(inbound, Text) else None
    if change and change[1].strip():
        key = _target(state, ctx, change[1])
        return _change(state, key) if key else goto(state, Step.FIX_PICK, m.NOT_A_FIELD)
    value = choose(inbound, ask_summary(state, ctx), yes="kirim", no="ubah")
    if value == "kirim":
        return _submit(state, ctx)
    if value == "ubah":
        return goto(state, Step.FIX_PICK)
    if value == "batal":
        return goto(state, Step.CONFIRM_CANCEL)
    return again(state, m.NOT_UNDERSTOOD)


TO_SUMMARY = Option("__summary", m.TO_SUMMARY, aliases=("ringkasan", "kembali ke ringkasan", "tidak jadi"))


def ask_fix(state: ConversationState, ctx: Context) -> Prompt:
    letter = letter_of(state, ctx)
    options = targets(letter, state.draft) if letter else []
    return Prompt(m.PICK_FIX, tuple(Option(key, label) for key, label in options), fixed=(TO_SUMMARY,))


def on_fix(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    change = _CHANGE.match(inbound.text) if isinstance(inbound, Text) else None
    key = _target(state, ctx, change[1]) if change else resolve(inbound, ask_fix(state, ctx), state.page)
    if key == TO_SUMMARY.value:
        return goto(state, Step.SUMMARY)
    return _change(state, key) if key else again(state, m.NOT_A_FIELD)


def cancel(state: ConversationState) -> Outcome:
    """Discard the draft (and withdraw the request under correction, if any)."""
    request_id = state.draft.revision_of
    state.draft, state.step, state.page = Draft(), Step.IDLE, 0
    return [CancelRequest(request_id=request_id), Reply(text=m.CANCELLED)]


def ask_confirm(state: ConversationState, ctx: Context) -> Prompt:
    return _CONFIRM


_CONFIRM = Prompt(m.CONFIRM_CANCEL, (Option("ya", m.CANCEL_YES, aliases=("ya", "batal", "batalkan")),
                                     Option("tidak", m.CANCEL_NO, aliases=("tidak", "lanjut", "jangan"))))


def on_confirm(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_confirm(state, ctx))
    if value == "ya":
        return cancel(state)
    return reenter(state, ctx) if value == "tidak" else again(state, m.not_clear("ya", "tidak"))


def ask_resume(state: ConversationState, ctx: Context) -> Prompt:
    letter = letter_of(state, ctx)
    return Prompt(m.resume(letter.title if letter else None), _RESUME_OPTIONS)


_RESUME_OPTIONS = (Option("lanjut", m.RESUME, aliases=("ya", "lanjut", "teruskan")),
                   Option("baru", m.START_OVER, aliases=("baru", "ulang", "mulai ulang")))


def on_resume(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_resume(state, ctx), yes="lanjut", no="baru")
    if value == "lanjut":
        return reenter(state, ctx)
    if value != "baru":
        return again(state, m.not_clear("lanjut", "mulai baru"))
    effects = cancel(state)[:1]
    return [*effects, *(goto(state, Step.KECAMATAN) if state.consent else reenter(state, ctx))]
