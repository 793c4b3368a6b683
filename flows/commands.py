"""Commands available at every step: batal, kembali, bantuan, status, start, and the resident's
rights over their data: data saya (/datasaya), hapus data saya (/hapusdatasaya).

They arrive as a Command (/batal from a menu) or as the words typed ("Batal", "/kembali", "data saya").
"""

from __future__ import annotations

from collections.abc import Callable

from flows import messages as m
from flows import personal_data, visits
from flows.context import Context
from flows.effects import Reply, ShowStatus
from flows.inbound import Command, Inbound, Text
from flows.questions import FieldQuestion, current, find
from flows.review import cancel
from flows.start import on_idle, profile_values
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, letter_of, reenter

ALIASES = {
    "batal": "batal", "cancel": "batal", "batalkan": "batal", "kembali": "kembali", "back": "kembali",
    "bantuan": "bantuan", "help": "bantuan", "tolong": "bantuan", "status": "status", "start": "start",
    "mulai": "start", "menu": "start",
    "data saya": "data_saya", "datasaya": "data_saya", "data_saya": "data_saya", "data pribadi": "data_saya",
    "hapus data saya": "hapus_data", "hapusdatasaya": "hapus_data", "hapus_data_saya": "hapus_data",
    "hapus data": "hapus_data", "hapusdata": "hapus_data", "hapus_data": "hapus_data",
    "batal kunjungan": "batal_kunjungan", "batalkunjungan": "batal_kunjungan", "batal_kunjungan": "batal_kunjungan",
    "batalkan kunjungan": "batal_kunjungan",
}
# Answered whatever the conversation's state, even before a draft idle for a day is offered again.
ANY_TIME = frozenset({"status", "data_saya", "hapus_data", "batal_kunjungan"})
# "kembali" from these steps goes to the step named (transitions as data).
BACK = {Step.KELURAHAN: Step.KECAMATAN, Step.LETTER: Step.KELURAHAN, Step.REQUIREMENTS: Step.LETTER,
        Step.PROFILE: Step.REQUIREMENTS, Step.FIX_PICK: Step.SUMMARY, Step.VISIT_DAY: Step.LETTER,
        Step.VISIT_SLOT: Step.VISIT_DAY}


def command_of(inbound: Inbound) -> str | None:
    """The command an inbound message is ("unknown" for an unknown /command), or None."""
    if isinstance(inbound, Command):
        return ALIASES.get(inbound.name, "unknown")
    if isinstance(inbound, Text):
        word = inbound.text.strip().lower().rstrip(".!")
        return ALIASES.get(word[1:] if word.startswith("/") else word)
    return None


def _start(state: ConversationState, ctx: Context) -> Outcome:
    if state.step == Step.IDLE:
        return on_idle(state, ctx)
    if state.draft.revision_of is not None:
        return again(state, m.IN_REVISION.format(n=m.request_name(state.draft.revision_code, state.draft.revision_of)))
    if state.draft.has_answers():
        return goto(state, Step.RESUME)
    state.step, state.draft = Step.IDLE, Draft()
    return on_idle(state, ctx)


def _cancel(state: ConversationState, ctx: Context) -> Outcome:
    if state.step == Step.CONFIRM_ERASE:
        return personal_data.keep(state, ctx)
    if state.step == Step.CONFIRM_CANCEL:
        return cancel(state)
    if state.draft.has_answers() or state.draft.revision_of is not None:
        return goto(state, Step.CONFIRM_CANCEL)
    was_idle = state.step == Step.IDLE
    state.step, state.draft, state.page = Step.IDLE, Draft(), 0
    return [Reply(text=m.NOTHING_TO_CANCEL if was_idle else m.CANCELLED)]


def _back_in_draft(state: ConversationState, ctx: Context) -> Outcome:
    """One question back: the last one answered is asked again (its answer kept until replaced)."""
    d, letter = state.draft, letter_of(state, ctx)
    if state.step == Step.FILL and d.editing and d.reviewed:
        d.editing = []
        return goto(state, Step.SUMMARY)
    while d.history and letter is not None:
        key = d.history.pop()
        if find(letter, d, key) is not None:
            d.editing.insert(0, key)
            return goto(state, Step.FILL)
    if d.revision_of is not None:
        return again(state, m.FIRST_STEP)
    d.started = False
    return goto(state, Step.PROFILE if profile_values(state, ctx) else Step.REQUIREMENTS)


def _back(state: ConversationState, ctx: Context) -> Outcome:
    if state.step == Step.IDLE:
        return on_idle(state, ctx)
    if state.step == Step.CONFIRM_CANCEL:
        return reenter(state, ctx)
    if state.step == Step.CONFIRM_ERASE:
        return personal_data.keep(state, ctx)
    if state.step in (Step.FILL, Step.SUMMARY):
        return _back_in_draft(state, ctx)
    if state.step in BACK:
        if BACK[state.step] == Step.REQUIREMENTS:
            state.draft.started = False  # the questions are not under way any more
        return goto(state, BACK[state.step])
    return again(state, m.FIRST_STEP)


def _help(state: ConversationState, ctx: Context) -> Outcome:
    text = m.HELP[state.step.value]
    letter = letter_of(state, ctx)
    q = current(letter, state.draft) if state.step == Step.FILL and letter else None
    if isinstance(q, FieldQuestion) and q.field.help:
        text += f"\n{q.field.help}"
    return [Reply(text=f"{text}\n\n{m.COMMANDS_HINT}"), *again(state)]


def _status(state: ConversationState, ctx: Context) -> Outcome:
    return [ShowStatus(), *again(state)]


def _unknown(state: ConversationState, ctx: Context) -> Outcome:
    if state.step == Step.IDLE:
        return on_idle(state, ctx)
    return again(state, m.NOT_UNDERSTOOD)


COMMANDS: dict[str, Callable[[ConversationState, Context], Outcome]] = {
    "batal": _cancel, "kembali": _back, "bantuan": _help, "status": _status, "start": _start, "unknown": _unknown,
    "data_saya": personal_data.show, "hapus_data": personal_data.erase, "batal_kunjungan": visits.cancel_visit,
}
