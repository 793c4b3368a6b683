"""The first steps: greeting and consent, kecamatan and kelurahan, letter type, requirements, profile."""

from __future__ import annotations

from flows import menu_options, visits
from flows import messages as m
from flows.choice_sets import Option
from flows.context import Context
from flows.cross_checks import letter_refused
from flows.definitions import FieldDef, LetterTypeDef
from flows.effects import RecordConsent
from flows.formatting import display
from flows.inbound import Inbound, Text
from flows.menus import Prompt, resolve, texts, yes_no
from flows.revision import start_revision
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, letter_of, proceed, reset, today
from flows.validators import FieldError, validate
from flows.yes_no import choose


def on_idle(state: ConversationState, ctx: Context, inbound: Inbound | None = None) -> Outcome:
    """Any message when no conversation is under way: waiting corrections, a paused draft, or hello."""
    if state.queued:
        return start_revision(state, ctx, state.queued.pop(0))
    if state.stash is not None and not state.draft.has_answers():
        state.draft, state.stash = state.stash, None
    if state.draft.has_answers():
        return goto(state, Step.RESUME)
    state.draft = Draft()
    if not state.consent:
        return goto(state, Step.CONSENT)
    return goto(state, Step.KECAMATAN, m.WELCOME_BACK)


def ask_idle(state: ConversationState, ctx: Context) -> Prompt:
    return _IDLE


def ask_consent(state: ConversationState, ctx: Context) -> Prompt:
    return _CONSENT


_IDLE, _CONSENT = Prompt(m.HELP["idle"]), Prompt(m.CONSENT, yes_no(m.AGREE, m.DISAGREE))  # rendered once


def on_consent(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_consent(state, ctx))
    if value == "ya":
        state.consent = True
        return [RecordConsent(), *goto(state, Step.KECAMATAN)]
    if value == "tidak":
        reset(state)  # nothing kept
        return list(texts(m.CONSENT_REFUSED))
    return again(state, m.not_clear("setuju", "tidak setuju"))


def ask_kecamatan(state: ConversationState, ctx: Context) -> Prompt:
    """The kecamatan; a returning resident's last kelurahan is offered first."""
    last = ctx.directory.get(ctx.last_kelurahan)
    if last is None:
        return menu_options.kecamatan_prompt(ctx.directory)
    options = menu_options.kecamatan_options(ctx.directory)
    again_there = Option(last.slug, m.same_kelurahan(last.name), last.name, (last.name,))
    return Prompt(m.ask_kecamatan_or(last.name), (again_there, *options))


def _chose_kelurahan(state: ConversationState, ctx: Context, slug: str) -> Outcome:
    kel = ctx.directory.get(slug)
    if kel is None:
        return again(state, m.NOT_A_PLACE)
    state.draft.kecamatan, state.draft.kelurahan_slug = kel.kecamatan, kel.slug
    return goto(state, Step.LETTER)


def on_kecamatan(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    prompt = ask_kecamatan(state, ctx)
    value = resolve(inbound, prompt, state.page, fuzzy=False)
    kel = ctx.directory.find(inbound.text) if value is None and isinstance(inbound, Text) else None
    if kel is not None:
        return _chose_kelurahan(state, ctx, kel.slug)
    value = value or resolve(inbound, prompt, state.page)
    if value is None:
        return again(state, m.NOT_A_PLACE)
    if ctx.directory.get(value) is not None:  # the last kelurahan, offered first
        return _chose_kelurahan(state, ctx, value)
    state.draft.kecamatan = value
    return goto(state, Step.KELURAHAN)


def ask_kelurahan(state: ConversationState, ctx: Context) -> Prompt:
    kecamatan = state.draft.kecamatan or ""
    return menu_options.kelurahan_prompts(ctx.directory).get(kecamatan) or Prompt(m.ask_kelurahan(kecamatan))


def on_kelurahan(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = resolve(inbound, ask_kelurahan(state, ctx), state.page, fuzzy=False)
    if value is None and isinstance(inbound, Text):
        kel = ctx.directory.find(inbound.text, state.draft.kecamatan)
        value = kel.slug if kel else None
    return _chose_kelurahan(state, ctx, value) if value else again(state, m.NOT_A_PLACE)


def _letter_menu(state: ConversationState, ctx: Context, *, every: bool) -> Prompt:
    """The letters offered: those the saved profile does not rule out (`every`: all, to understand a name)."""
    kel = ctx.directory.get(state.draft.kelurahan_slug)
    options = tuple(menu_options.letter_option(t) for t in ctx.catalogue
                    if every or letter_refused(t, ctx.profile, today(ctx)) is None)
    return Prompt(m.ask_letter(kel.name if kel else ""), options)


def ask_letter(state: ConversationState, ctx: Context) -> Prompt:
    return _letter_menu(state, ctx, every=False)


def on_letter(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    letter = ctx.catalogue.get(resolve(inbound, ask_letter(state, ctx), state.page))
    if letter is None:  # a letter not listed, named: say why it is not offered
        named = ctx.catalogue.get(resolve(inbound, _letter_menu(state, ctx, every=True), numbers=False))
        refused = letter_refused(named, ctx.profile, today(ctx)) if named else None
        return again(state, refused.message if refused else m.NOT_UNDERSTOOD)
    d = state.draft
    if not letter.online:  # requirements, then a visit slot to book (flows.visits)
        return visits.offer(state, ctx, letter)
    if d.letter_type != letter.code:
        d.letter_type, d.history, d.editing, d.reviewed = letter.code, [], [], False
    d.started = False
    return goto(state, Step.REQUIREMENTS)


def ask_requirements(state: ConversationState, ctx: Context) -> Prompt:
    t = letter_of(state, ctx)
    return menu_options.requirements_prompt(t) if t else Prompt(m.NOT_UNDERSTOOD, menu_options.REQUIREMENTS_OPTIONS)


def on_requirements(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_requirements(state, ctx), yes="lanjut", no="lain")
    if value == "lain":
        return goto(state, Step.LETTER)
    if value != "lanjut":
        return again(state, m.not_clear("lanjut", "pilih surat lain"))
    state.draft.started = True
    return goto(state, Step.PROFILE) if profile_values(state, ctx) else proceed(state, ctx)


def profile_values(state: ConversationState, ctx: Context) -> list[tuple[FieldDef, str]]:
    """Saved profile values this letter can use and has not got yet (valid ones only)."""
    letter: LetterTypeDef | None = letter_of(state, ctx)
    out = []
    for f in letter.fields if letter else []:
        raw = ctx.profile.get(f.name)
        if f.profile and isinstance(raw, str) and raw and f.name not in state.draft.fields:
            try:
                out.append((f, validate(f, raw, today(ctx))))
            except FieldError:
                continue
    return out


def _masked(f: FieldDef, value: str) -> str:
    return value[:4] + "*" * 8 + value[-4:] if f.type in ("nik", "kk") else display(f, value)


def ask_profile(state: ConversationState, ctx: Context) -> Prompt:
    lines = "\n".join(f"- {f.label}: {_masked(f, v)}" for f, v in profile_values(state, ctx))
    return Prompt(f"{m.ASK_PROFILE_HEAD}\n{lines}\n\n{m.ASK_PROFILE_TAIL}", yes_no())


def on_profile(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_profile(state, ctx))
    if value is None:
        return again(state, m.not_clear("ya", "tidak"))
    if value == "ya":
        state.draft.fields.update({f.name: v for f, v in profile_values(state, ctx)})
    return proceed(state, ctx)
