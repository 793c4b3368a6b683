"""The engine's step table: for each step, its question, how an answer to it is handled, and what
is sent first when it is entered. One literal mapping, like h11's `_state.py` transition table:
reading it tells every step there is; nothing registers itself anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from flows import fill, personal_data, review, start, survey, visits
from flows.context import Context
from flows.inbound import Inbound
from flows.menus import Prompt
from flows.state import ConversationState, Step
from flows.steps import Outcome
from flows.summary import summary_text

AskFn = Callable[[ConversationState, Context], Prompt]
HandleFn = Callable[[ConversationState, Context, Inbound], Outcome]
IntroFn = Callable[[ConversationState, Context], str]


@dataclass(frozen=True)
class StepSpec:
    ask: AskFn  # the question of this step (text and options), a pure function of the state
    handle: HandleFn  # the resident's answer (text, choice or file) at this step
    intro: IntroFn | None = None  # sent before the question when the step is entered (the summary)


STEPS: Final[Mapping[Step, StepSpec]] = {
    Step.IDLE: StepSpec(start.ask_idle, start.on_idle),
    Step.CONSENT: StepSpec(start.ask_consent, start.on_consent),
    Step.KECAMATAN: StepSpec(start.ask_kecamatan, start.on_kecamatan),
    Step.KELURAHAN: StepSpec(start.ask_kelurahan, start.on_kelurahan),
    Step.LETTER: StepSpec(start.ask_letter, start.on_letter),
    Step.REQUIREMENTS: StepSpec(start.ask_requirements, start.on_requirements),
    Step.PROFILE: StepSpec(start.ask_profile, start.on_profile),
    Step.FILL: StepSpec(fill.ask_fill, fill.on_fill),
    Step.SUMMARY: StepSpec(review.ask_summary, review.on_summary, intro=summary_text),
    Step.FIX_PICK: StepSpec(review.ask_fix, review.on_fix),
    Step.CONFIRM_CANCEL: StepSpec(review.ask_confirm, review.on_confirm),
    Step.RESUME: StepSpec(review.ask_resume, review.on_resume),
    Step.CONFIRM_ERASE: StepSpec(personal_data.ask_confirm_erase, personal_data.on_confirm_erase),
    Step.VISIT_DAY: StepSpec(visits.ask_visit_day, visits.on_visit_day),
    Step.VISIT_SLOT: StepSpec(visits.ask_visit_slot, visits.on_visit_slot),
    Step.VISIT_CANCEL: StepSpec(visits.ask_visit_cancel, visits.on_visit_cancel),
    Step.SURVEY: StepSpec(survey.ask_survey, survey.on_survey),
}
