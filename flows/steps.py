"""The transition table: for each step, how to ask and how to handle an answer (h11-style, as data).

Step modules (`start`, `fill`, `review`) register their `StepSpec` here; handlers move the
conversation with `goto` (enter a step and ask), `again` (ask the same question again, e.g.
after an invalid answer), `proceed` (next question or the summary) and `reenter` (the step a
stored draft belongs to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from flows.context import Context
from flows.dates import WIB
from flows.definitions import LetterTypeDef
from flows.effects import Effect
from flows.menus import Prompt, render, texts
from flows.questions import current
from flows.state import ConversationState, Step

AskFn = Callable[[ConversationState, Context], Prompt]
HandleFn = Callable[[ConversationState, Context, object], list[Effect]]
IntroFn = Callable[[ConversationState, Context], str]


@dataclass(frozen=True)
class StepSpec:
    ask: AskFn  # the question of this step (text and options), a pure function of the state
    handle: HandleFn  # the resident's answer (text, choice or file) at this step
    intro: IntroFn | None = None  # sent before the question when the step is entered (the summary)


STEPS: dict[Step, StepSpec] = {}


def register(step: Step, ask: AskFn, handle: HandleFn, intro: IntroFn | None = None) -> None:
    STEPS[step] = StepSpec(ask, handle, intro)


def letter_of(state: ConversationState, ctx: Context) -> LetterTypeDef | None:
    return ctx.catalogue.get(state.draft.letter_type)


def today(ctx: Context) -> date:
    """Today in Palangka Raya (a naive `now` is taken as UTC)."""
    now = ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=UTC)
    return now.astimezone(WIB).date()


def elapsed(since: datetime, now: datetime) -> timedelta:
    def aware(t: datetime) -> datetime:
        return t if t.tzinfo else t.replace(tzinfo=UTC)

    return aware(now) - aware(since)


def reset(state: ConversationState, *, keep: tuple[str, ...] = ()) -> None:
    """Forget everything (but the attributes named in `keep`)."""
    fresh = ConversationState()
    for name in ConversationState.model_fields:
        if name not in keep:
            setattr(state, name, getattr(fresh, name))


def _with_notice(prompt: Prompt, notice: str | None) -> Prompt:
    return replace(prompt, text=f"{notice}\n\n{prompt.text}") if notice else prompt


def again(state: ConversationState, ctx: Context, notice: str | None = None) -> list[Effect]:
    """Ask the current step's question again (after a notice such as an error message)."""
    if state.step == Step.IDLE:
        return list(texts(notice)) if notice else []
    return list(render(_with_notice(STEPS[state.step].ask(state, ctx), notice), state.page))


def goto(state: ConversationState, ctx: Context, step: Step, notice: str | None = None) -> list[Effect]:
    """Enter `step` and ask its question."""
    state.step, state.page = step, 0
    spec = STEPS[step]
    intro = list(texts(spec.intro(state, ctx))) if spec.intro else []
    return [*intro, *render(_with_notice(spec.ask(state, ctx), notice))]


def proceed(state: ConversationState, ctx: Context, notice: str | None = None) -> list[Effect]:
    """The next question of the draft, or the summary when everything is answered."""
    letter = letter_of(state, ctx)
    if letter is None:
        return goto(state, ctx, Step.LETTER, notice)
    if current(letter, state.draft) is None:
        state.draft.reviewed = True
        return goto(state, ctx, Step.SUMMARY, notice)
    return goto(state, ctx, Step.FILL, notice)


def reenter(state: ConversationState, ctx: Context, notice: str | None = None) -> list[Effect]:
    """Go back to where the stored draft stands (after a pause, "tidak jadi batal", ...)."""
    d = state.draft
    if not state.consent:
        return goto(state, ctx, Step.CONSENT, notice)
    if letter_of(state, ctx) is not None and d.kelurahan_slug:
        return proceed(state, ctx, notice) if d.started else goto(state, ctx, Step.REQUIREMENTS, notice)
    if d.kelurahan_slug:
        return goto(state, ctx, Step.LETTER, notice)
    if d.kecamatan:
        return goto(state, ctx, Step.KELURAHAN, notice)
    return goto(state, ctx, Step.KECAMATAN, notice)
