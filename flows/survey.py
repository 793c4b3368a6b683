"""The satisfaction survey (SKM, PermenPANRB 14/2017) offered in the resident's chat once their letter is
issued (`SurveyOffered`, from the lifecycle). It never blocks the resident:

- Offered only to a chat at rest (Step.IDLE, consent given, no correction waiting): a resident busy with
  another request is not interrupted (that letter goes unsurveyed), and a survey under way is not replaced.
- The elements of `stats.skm.ASKED` (six: U6, U8 and U9 cannot be observed by a resident served online,
  see `stats.skm`), each answered 1-4 by button, number or the answer's words; "Lewati" (or batal,
  kembali) at any point ends the survey. Then an optional comment (any text; Lewati: none), then thanks.
  The answers go to the runner as one `RecordSurvey` (stored once per request).
- Skipped in the middle: the answers already given are kept (a partial response; the index counts each
  element over the answers to it). Nothing answered and no comment: nothing is stored.
- Any other command (status, mulai, data saya, ...), a correction from staff, or a message a day after
  the last one leaves the survey silently (the answers given kept) and is handled as at rest. A message
  that is not an answer is asked again once, in Indonesian; a second one leaves the survey the same way.
"""

from __future__ import annotations

from datetime import timedelta

from flows.choice_sets import Option
from flows.commands import command_of
from flows.context import Context
from flows.effects import Effect, RecordSurvey
from flows.inbound import Inbound, RevisionRequested, SurveyOffered, Text, VisitUnavailable
from flows.menus import Prompt, resolve, texts
from flows.start import on_idle
from flows.state import ConversationState, Step, Survey
from flows.steps import Outcome, again, elapsed, goto
from stats.skm import ASKED, BY_CODE

LIMIT = timedelta(hours=24)  # a survey not answered for a day is left
MAX_COMMENT = 1000
ENDS = frozenset({"batal", "kembali"})  # commands that end the survey as Lewati does
SKIP = Option("lewati", "Lewati", aliases=("lewat", "skip", "nanti", "nanti saja", "tidak usah", "tidak mau",
                                           "tidak ada", "tidak ada saran"))

INTRO = ("Terima kasih telah menggunakan layanan e-Surat{about}. Bantu kami meningkatkan layanan: "
         "{n} pertanyaan singkat, boleh dilewati.")
QUESTION = "Survei kepuasan, pertanyaan {i} dari {n}:\n{question}"
ASK_COMMENT = "Terakhir, ada saran untuk kami? Silakan ketik saran Anda atau Lewati."
NOT_A_SCORE = "Maaf, jawaban tidak dikenali. Pilih nilai 1 sampai 4, atau Lewati untuk melewati survei."
NO_COMMENT = "Mohon ketik saran Anda dalam bentuk teks, atau pilih Lewati."
THANKS = "Terima kasih atas penilaian Anda. Masukan Anda membantu kami memperbaiki pelayanan kelurahan."
SKIPPED = "Baik, survei dilewati. Terima kasih telah menggunakan layanan e-Surat."



def offer(state: ConversationState, ctx: Context, inbound: SurveyOffered) -> Outcome:
    """Begin the survey about `inbound.request_id`, if the chat is at rest (else nothing at all)."""
    if state.step != Step.IDLE or not state.consent or state.queued:
        return []
    state.survey = Survey(request_id=inbound.request_id, code=inbound.code)
    # The intro heads the first question: one message (a channel may have to send it as a template).
    about = f" (permohonan {inbound.code})" if inbound.code else ""
    return goto(state, Step.SURVEY, INTRO.format(about=about, n=len(ASKED)))


def ask_survey(state: ConversationState, ctx: Context) -> Prompt:
    s = state.survey
    if s is None or s.at >= len(ASKED):
        return Prompt(ASK_COMMENT, (SKIP,))
    e = BY_CODE[ASKED[s.at]]
    # The value names the element, so that a button of an earlier question pressed late is not taken
    # as the answer to this one; typing the number (1-4) or the answer's words works as well.
    scores = tuple(Option(f"{e.code}:{i}", label) for i, label in enumerate(e.scale, 1))
    return Prompt(QUESTION.format(i=s.at + 1, n=len(ASKED), question=e.question), (*scores, SKIP))


def on_survey(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    s = state.survey
    if s is None:  # (a stored state without its survey) nothing to ask
        end(state)
        return on_idle(state, ctx)
    value = resolve(inbound, ask_survey(state, ctx), fuzzy=False)
    if value == SKIP.value:
        return finish(state)
    if s.at >= len(ASKED):  # the comment
        comment = inbound.text.strip()[:MAX_COMMENT] if isinstance(inbound, Text) else ""
        return finish(state, comment) if comment else again(state, NO_COMMENT)
    if value is None:
        if s.missed:  # two messages that are not answers: the resident is doing something else
            return [*drop(state), *on_idle(state, ctx)]
        s.missed = True
        return again(state, NOT_A_SCORE)
    s.answers[ASKED[s.at]] = int(value.rsplit(":", 1)[1])
    s.at, s.missed = s.at + 1, False
    return again(state)


def leaving(state: ConversationState, ctx: Context, inbound: Inbound) -> bool:
    """At the survey, `inbound` is not for it: a command, a message from the system, or a message a day late."""
    if isinstance(inbound, RevisionRequested | VisitUnavailable) or command_of(inbound) is not None:
        return True
    return state.updated_at is not None and elapsed(state.updated_at, ctx.now) >= LIMIT


def finish(state: ConversationState, comment: str | None = None) -> Outcome:
    """The survey ends (answered, or skipped with Lewati): the answers given are stored, and thanks."""
    stored = _record(state.survey, comment)
    end(state)
    return [*stored, *texts(THANKS if stored else SKIPPED)]


def drop(state: ConversationState) -> Outcome:
    """The survey is left silently (the answers given are still stored)."""
    stored = _record(state.survey)
    end(state)
    return list(stored)


def end(state: ConversationState) -> None:
    state.step, state.survey, state.page = Step.IDLE, None, 0


def _record(s: Survey | None, comment: str | None = None) -> list[Effect]:
    if s is None or not (s.answers or comment):
        return []
    return [RecordSurvey(request_id=s.request_id, answers=dict(s.answers), comment=comment or None)]
