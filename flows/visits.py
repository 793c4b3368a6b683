"""Visits to the kelurahan office for letters that cannot be requested online (Ahli Waris, any type
with `online: false`): after the requirements, the resident picks a day, then a time, from the open
slots the runner puts in the `Context` (`visit_slots`, those of the draft's kelurahan); the pick is a
`BookVisit` effect, booked by the runner with a capacity check. A slot taken meanwhile comes back as a
`VisitUnavailable` inbound and the slots are offered again. `batal kunjungan` cancels a booking.
"""

from __future__ import annotations

from datetime import date

from flows import messages as m
from flows import visit_texts as v
from flows.choice_sets import Option
from flows.context import Context, VisitSlot
from flows.definitions import LetterTypeDef
from flows.effects import BookVisit, CancelVisit
from flows.inbound import ChoiceMade, Inbound, VisitUnavailable
from flows.menus import Prompt, resolve, texts
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, reenter


def _open(ctx: Context) -> list[VisitSlot]:
    return sorted((s for s in ctx.visit_slots if s.free > 0), key=lambda s: s.start)


def _days(ctx: Context) -> list[date]:
    return list(dict.fromkeys(v.local(s.start).date() for s in _open(ctx)))


def _slots_of(ctx: Context, day: str | None) -> list[VisitSlot]:
    return [s for s in _open(ctx) if v.local(s.start).date().isoformat() == day]


def _value(slot: VisitSlot) -> str:
    return v.local(slot.start).strftime("%Y-%m-%dT%H:%M")


def _none_left(state: ConversationState) -> Outcome:
    state.step, state.draft, state.page = Step.IDLE, Draft(), 0
    return list(texts(v.NO_SLOTS))


def offer(state: ConversationState, ctx: Context, letter: LetterTypeDef) -> Outcome:
    """A letter that needs a visit was chosen: its requirements, then the days to choose from."""
    d = state.draft
    kel = ctx.directory.get(d.kelurahan_slug)
    booking = bool(_days(ctx))
    text = m.visit(letter.title, kel.name if kel else "", letter.visit_note or "", letter.requirements,
                   kel.address if kel else "", kel.phone if kel else "")
    if not booking:  # no slot to book (or a runner that books none): come during office hours
        d.letter_type, state.step = None, Step.IDLE
        return list(texts(text))
    text = text[: text.index("Langkah berikutnya:")] + v.NEXT_STEP
    d.letter_type, d.visit_day, d.started = letter.code, None, False
    return [*texts(text), *goto(state, Step.VISIT_DAY)]


def ask_visit_day(state: ConversationState, ctx: Context) -> Prompt:
    kel = ctx.directory.get(state.draft.kelurahan_slug)
    options = tuple(Option(d.isoformat(), v.long_day(d), v.short_day(d)) for d in _days(ctx))
    return Prompt(v.PICK_DAY.format(kelurahan=kel.name if kel else ""), options)


def on_visit_day(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    if not _days(ctx):
        return _none_left(state)
    value = resolve(inbound, ask_visit_day(state, ctx), state.page)
    if value is None:
        return again(state, v.NOT_A_DAY)
    state.draft.visit_day = value
    return goto(state, Step.VISIT_SLOT)


def ask_visit_slot(state: ConversationState, ctx: Context) -> Prompt:
    day = state.draft.visit_day or ""
    options = tuple(Option(_value(s), v.slot_label(s.start, s.free), v.clock(s.start))
                    for s in _slots_of(ctx, day))
    shown = v.long_day(date.fromisoformat(day)) if day else ""
    return Prompt(v.PICK_SLOT.format(day=shown), options)


def on_visit_slot(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    d = state.draft
    if not _slots_of(ctx, d.visit_day):  # the day filled up meanwhile
        return goto(state, Step.VISIT_DAY, v.DAY_FULL) if _days(ctx) else _none_left(state)
    value = resolve(inbound, ask_visit_slot(state, ctx), state.page)
    slot = next((s for s in _slots_of(ctx, d.visit_day) if _value(s) == value), None)
    if slot is None:  # a time pressed on an older message may have filled up since
        pressed = isinstance(inbound, ChoiceMade) and inbound.value.startswith(f"{d.visit_day}T")
        return again(state, v.SLOT_FULL if pressed else v.NOT_A_SLOT)
    book = BookVisit(kelurahan_slug=d.kelurahan_slug or "", letter_type=d.letter_type or "", start=slot.start)
    state.step, state.draft, state.page = Step.IDLE, Draft(), 0
    return [book]


def unavailable(state: ConversationState, ctx: Context, inbound: VisitUnavailable) -> Outcome:
    """The slot picked was taken meanwhile: the other times of that day, or the other days."""
    if state.draft.has_answers() or state.draft.revision_of is not None:
        return list(texts(v.SLOT_FULL))  # (the resident went on meanwhile: only say so)
    state.draft = Draft(kelurahan_slug=inbound.kelurahan_slug, letter_type=inbound.letter_type,
                        visit_day=inbound.day)
    kel = ctx.directory.get(inbound.kelurahan_slug)
    state.draft.kecamatan = kel.kecamatan if kel else None
    if _slots_of(ctx, inbound.day):
        return goto(state, Step.VISIT_SLOT, v.SLOT_FULL)
    return goto(state, Step.VISIT_DAY, v.DAY_FULL) if _days(ctx) else _none_left(state)


def cancel_visit(state: ConversationState, ctx: Context) -> Outcome:
    """`batal kunjungan`: which booked visit to cancel."""
    if not ctx.visits:
        return [*texts(v.NO_VISITS), *(again(state) if state.step != Step.IDLE else [])]
    return goto(state, Step.VISIT_CANCEL)


def ask_visit_cancel(state: ConversationState, ctx: Context) -> Prompt:
    lines = [f"{b.code}: {b.title}, {b.kelurahan}, {v.when(b.start)}" for b in ctx.visits]
    options = tuple(Option(b.code, line, b.code) for b, line in zip(ctx.visits, lines, strict=True))
    return Prompt(v.PICK_CANCEL, (*options, Option("tidak", v.KEEP, aliases=("tidak", "tidak jadi"))))


def on_visit_cancel(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = resolve(inbound, ask_visit_cancel(state, ctx), state.page)
    if value is None:
        return again(state, m.NOT_UNDERSTOOD)
    done = [CancelVisit(code=value)] if value != "tidak" else []
    notice = v.KEPT if value == "tidak" else None
    if state.draft.has_answers():
        return [*done, *reenter(state, ctx, notice)]
    state.step, state.draft, state.page = Step.IDLE, Draft(), 0
    return [*done, *(texts(notice) if notice else [])]
