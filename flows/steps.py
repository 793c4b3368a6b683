"""How step handlers move the conversation, and the helpers they share.

Handlers (`start`, `fill`, `review`, `commands`, ...) return an `Outcome`: the effects to carry
out and, last, an `Ask` for the question of the step the conversation is then at, which the
engine renders from the step table (`step_table.STEPS`). They move with `goto` (enter a step
and ask), `again` (ask the same question again, e.g. after an invalid answer), `proceed` (next
question or the summary) and `reenter` (the step a stored draft belongs to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from flows.context import Context
from flows.cross_checks import recheck
from flows.dates import WIB
from flows.definitions import LetterTypeDef
from flows.effects import Effect
from flows.menus import texts
from flows.questions import current
from flows.state import ConversationState, Step


@dataclass(frozen=True)
class Ask:
    """Ask the question of the step the conversation is at (rendered by the engine from the step table)."""

    notice: str | None = None  # shown above the question (an error message, a welcome, ...)
    entered: bool = False  # the step was just entered: its intro (the summary) is sent first


Outcome = list[Effect | Ask]  # what a handler returns: effects, then (usually) the question to ask


def letter_of(state: ConversationState, ctx: Context) -> LetterTypeDef | None:
    return ctx.catalogue.get(state.draft.letter_type)


def today(ctx: Context) -> date:
    """Today in Palangka Raya (a naive `now` is taken as UTC)."""
    return _local_day(ctx.now)


@lru_cache(maxsize=1)  # asked several times for the same message (the one before it: another time)
def _local_day(now: datetime) -> date:
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(WIB).date()


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


def again(state: ConversationState, notice: str | None = None) -> Outcome:
    """Ask the current step's question again (after a notice such as an error message)."""
    if state.step == Step.IDLE:
        return list(texts(notice)) if notice else []
    return [Ask(notice)]


def goto(state: ConversationState, step: Step, notice: str | None = None) -> Outcome:
    """Enter `step` and ask its question."""
    state.step, state.page = step, 0
    return [Ask(notice, entered=True)]


def proceed(state: ConversationState, ctx: Context, notice: str | None = None) -> Outcome:
    """The next question of the draft, or the summary when everything is answered."""
    letter = letter_of(state, ctx)
    if letter is None:
        return goto(state, Step.LETTER, notice)
    if (conflict := recheck(letter, state.draft, ctx.profile, today(ctx))) is not None:
        return goto(state, *conflict)  # answers that contradict each other (the letter type's `rules`)
    if current(letter, state.draft) is None:
        state.draft.reviewed = True
        return goto(state, Step.SUMMARY, notice)
    return goto(state, Step.FILL, notice)


def reenter(state: ConversationState, ctx: Context, notice: str | None = None) -> Outcome:
    """Go back to where the stored draft stands (after a pause, "tidak jadi batal", ...)."""
    d = state.draft
    if not state.consent:
        return goto(state, Step.CONSENT, notice)
    if letter_of(state, ctx) is not None and d.kelurahan_slug:
        return proceed(state, ctx, notice) if d.started else goto(state, Step.REQUIREMENTS, notice)
    if d.kelurahan_slug:
        return goto(state, Step.LETTER, notice)
    if d.kecamatan:
        return goto(state, Step.KELURAHAN, notice)
    return goto(state, Step.KECAMATAN, notice)
