"""The conversation engine: `advance(state, inbound, ctx) -> (new_state, effects)`, pure.

No I/O, no clock (ctx.now), no chat library. The state given is not modified. Order of
handling: a system correction request; a draft whose letter type or kelurahan is gone; the
commands answered at any moment (status, data saya, hapus data saya); a draft idle for 24 hours
(offered again before anything else); the other commands; else the current step's handler from
the step table (`step_table.STEPS`). At the satisfaction survey (`survey`), a command or a system
message first leaves the survey, then is handled as at rest. The question a handler leaves the conversation at
(`steps.Ask`) is rendered here, from the table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows import messages as m
from flows import survey
from flows.commands import ANY_TIME, COMMANDS, command_of
from flows.context import Context
from flows.effects import Effect, Reply, VerifyDocument
from flows.inbound import FileReceived, Inbound, RevisionRequested, SurveyOffered, VisitUnavailable
from flows.menus import NEXT, PREV, may_turn_page, render, resolve, texts
from flows.revision import start_revision
from flows.start import on_idle
from flows.state import ConversationState, Step
from flows.step_table import STEPS
from flows.steps import Ask, Outcome, again, elapsed, goto, reset
from flows.visits import unavailable

IDLE_LIMIT = timedelta(hours=24)


def _usable(state: ConversationState, ctx: Context) -> bool:
    d = state.draft
    return (d.letter_type is None or d.letter_type in ctx.catalogue) and (
        d.kelurahan_slug is None or ctx.directory.get(d.kelurahan_slug) is not None
    )


def _expired(state: ConversationState, ctx: Context) -> bool:
    return (
        state.updated_at is not None
        and state.step not in (Step.IDLE, Step.RESUME)
        and state.draft.has_answers()
        and state.draft.revision_of is None
        and elapsed(state.updated_at, ctx.now) >= IDLE_LIMIT
    )


def _page(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome | None:
    """Turn the page of a long menu, if that is what the resident chose."""
    if not may_turn_page(inbound):
        return None
    prompt = STEPS[state.step].ask(state, ctx)
    if not prompt.paged:
        return None
    value = resolve(inbound, prompt, state.page)
    if value not in (NEXT.value, PREV.value):
        return None
    state.page += 1 if value == NEXT.value else -1
    return again(state)


def _dispatch(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    if state.step == Step.SURVEY and survey.leaving(state, ctx, inbound):
        if command_of(inbound) in survey.ENDS:  # batal, kembali: the resident ends the survey
            return survey.finish(state)
        return [*survey.drop(state), *_dispatch(state, inbound, ctx)]  # silently; then as at rest
    if isinstance(inbound, SurveyOffered):
        return survey.offer(state, ctx, inbound)
    if isinstance(inbound, RevisionRequested):
        return start_revision(state, ctx, inbound)
    if isinstance(inbound, VisitUnavailable):
        return unavailable(state, ctx, inbound)
    if not _usable(state, ctx):
        reset(state, keep=("consent", "queued", "stash"))
        return goto(state, Step.KECAMATAN, m.LETTER_GONE) if state.consent else on_idle(state, ctx)
    command = command_of(inbound)
    if command not in ANY_TIME and _expired(state, ctx):
        return goto(state, Step.RESUME)
    if command is not None:
        return COMMANDS[command](state, ctx)
    if (isinstance(inbound, FileReceived) and state.step == Step.IDLE and inbound.file_ref and not state.queued
            and not state.draft.has_answers()):
        return [Reply(text=m.CHECKING_DOCUMENT), VerifyDocument(file_ref=inbound.file_ref)]  # a letter to check
    if isinstance(inbound, FileReceived) and state.step not in (Step.FILL, Step.IDLE):
        return again(state, m.NOT_A_FILE_STEP)  # a photo sent while a choice is asked
    return _page(state, ctx, inbound) or STEPS[state.step].handle(state, ctx, inbound)


def _ask(state: ConversationState, ctx: Context, ask: Ask) -> list[Effect]:
    """The question of the step the conversation is at (after its intro, when just entered)."""
    spec = STEPS[state.step]
    prompt = spec.ask(state, ctx)
    if ask.notice:
        prompt = replace(prompt, text=f"{ask.notice}\n\n{prompt.text}")
    intro: list[Effect] = list(texts(spec.intro(state, ctx))) if ask.entered and spec.intro else []
    return [*intro, *render(prompt, state.page)]


def advance(state: ConversationState, inbound: Inbound, ctx: Context) -> tuple[ConversationState, list[Effect]]:
    """The state after `inbound`, and what to do (replies to send, request to submit, ...)."""
    new = state.copied()
    outcome = _dispatch(new, inbound, ctx)
    effects = [e for item in outcome for e in (_ask(new, ctx, item) if isinstance(item, Ask) else [item])]
    if new.step != Step.SURVEY:
        new.survey = None
    if outcome or not isinstance(inbound, SurveyOffered):  # a survey not offered changes nothing
        new.updated_at = ctx.now
    return new, effects
