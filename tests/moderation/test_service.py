"""ModerationService on its own (no chat library, no PDF): who may act, what each decision does,
and what the request card shows. A recording stand-in takes the place of letter issuing, run by the
follow-up runner as in the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.follow_ups import Job
from db.models import FollowUp, LetterRequest, Staff
from flows import Catalogue, load_catalogue
from lifecycle.errors import DomainError, NotAuthorized, NotFound, ReasonRequired
from lifecycle.follow_up_runner import FollowUpRunner, GiveUp
from lifecycle.follow_ups import ISSUE_LETTER
from lifecycle.service import RequestLifecycle
from lifecycle.transitions import Status
from moderation.service import ACTIONS, AlreadyDecided, ModerationService
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident

FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "alamat": "Jl. G. Obos XII No. 5",
          "keperluan": "Pendaftaran beasiswa anak"}
OPERATOR_TG = 7001


class RecordingIssuing:
    """Stands in for `lifecycle.issuing.Issuing`: records the requests it is asked to issue."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.issued: list[int] = []
        self.fail = fail

    async def issue(self, request_id: int) -> object:
        if self.fail is not None:
            raise self.fail
        self.issued.append(request_id)
        return None

    async def issue_letter(self, job: Job) -> None:
        assert job.request_id is not None
        await self.issue(job.request_id)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def issuing() -> RecordingIssuing:
    return RecordingIssuing()


@pytest.fixture
def moderation(sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue) -> ModerationService:
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())
    return ModerationService(sessions, lifecycle, catalogue)


def runner_for(sessions: async_sessionmaker[AsyncSession], issuing: RecordingIssuing) -> FollowUpRunner:
    """The follow-up runner as the composition root wires it, with the stand-in issuing."""
    return FollowUpRunner(sessions, {ISSUE_LETTER: issuing.issue_letter}, clock=FixedClock())


@pytest.fixture
def runner(sessions: async_sessionmaker[AsyncSession], issuing: RecordingIssuing) -> FollowUpRunner:
    return runner_for(sessions, issuing)


@pytest.fixture
async def operator(sessions: async_sessionmaker[AsyncSession]) -> Staff:
    return await add_staff(sessions, "bukit-tunggal", name="Rina", role="operator", telegram_user_id=OPERATOR_TG,
                           whatsapp_phone="6281200000001")


Submit = Callable[[], Awaitable[LetterRequest]]
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def submit(moderation: ModerationService, sessions: async_sessionmaker[AsyncSession]) -> Submit:
    counter = iter(range(1000, 2000))

    async def make() -> LetterRequest:
        resident = await make_resident(sessions, external_id=str(next(counter)))
        return await moderation.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                     fields=FIELDS)

    return make


async def status_of(sessions: async_sessionmaker[AsyncSession], request_id: int) -> LetterRequest:
    async with sessions() as s:
        req = await s.get(LetterRequest, request_id)
    assert req is not None
    return req


# -- who may act ----------------------------------------------------------------------------

async def test_registered_staff_is_found_by_each_identity(moderation: ModerationService, operator: Staff,
                                                          submit: Submit) -> None:
    req = await submit()
    assert (await moderation.staff_for(req.id, channel="telegram", external_id=OPERATOR_TG)).id == operator.id
    assert (await moderation.staff_for(req.id, channel="whatsapp", external_id="6281200000001")).id == operator.id
    assert (await moderation.staff_for(req.id, staff_id=operator.id)).id == operator.id


async def test_unregistered_person_is_refused(moderation: ModerationService, operator: Staff, submit: Submit) -> None:
    req = await submit()
    with pytest.raises(NotAuthorized, match="tidak terdaftar"):
        await moderation.staff_for(req.id, channel="telegram", external_id=9999)
    with pytest.raises(NotAuthorized, match="tidak terdaftar"):
        await moderation.staff_for(req.id)  # no identity at all


async def test_staff_of_another_kelurahan_is_refused(moderation: ModerationService, sessions: Sessions,
                                                     submit: Submit) -> None:
    other = await add_staff(sessions, "menteng", name="Budi", role="operator", telegram_user_id=7100)
    req = await submit()
    with pytest.raises(NotAuthorized):
        await moderation.staff_for(req.id, channel="telegram", external_id=7100)
    with pytest.raises(NotAuthorized):
        await moderation.staff_for(req.id, staff_id=other.id)
    # Even handed a Staff row directly, the lifecycle refuses a decision on another kelurahan's request.
    with pytest.raises(NotAuthorized, match="bukan petugas kelurahan ini"):
        await moderation.act(req.id, other, "approve")
    assert (await status_of(sessions, req.id)).status == Status.SUBMITTED


async def test_inactive_staff_and_unknown_request_are_refused(moderation: ModerationService, operator: Staff,
                                                              sessions: Sessions, submit: Submit) -> None:
    req = await submit()
    async with sessions.begin() as s:
        row = await s.get(Staff, operator.id)
        assert row is not None
        row.active = False
    with pytest.raises(NotAuthorized):
        await moderation.staff_for(req.id, channel="telegram", external_id=OPERATOR_TG)
    with pytest.raises(NotAuthorized, match="tidak ditemukan"):
        await moderation.staff_for(999_999, channel="telegram", external_id=OPERATOR_TG)


# -- each decision ----------------------------------------------------------------------------

async def test_approve_allocates_the_number_and_issues(moderation: ModerationService, operator: Staff,
                                                       issuing: RecordingIssuing, runner: FollowUpRunner,
                                                       sessions: Sessions, submit: Submit) -> None:
    req = await submit()
    approved = await moderation.act(req.id, operator, "approve")
    assert approved.status == Status.APPROVED and approved.number and approved.approved_by == operator.id
    assert await runner.run_once() == 1  # the approval's follow-up: issue the letter
    assert issuing.issued == [req.id]


async def test_approve_in_the_callers_transaction_schedules_the_letter(moderation: ModerationService,
                                                                       operator: Staff, issuing: RecordingIssuing,
                                                                       runner: FollowUpRunner, sessions: Sessions,
                                                                       submit: Submit) -> None:
    req = await submit()
    async with sessions.begin() as s:  # the caller's transaction (a button press with its dedup row)
        await moderation.act(req.id, operator, "approve", session=s)
    assert issuing.issued == []
    assert (await status_of(sessions, req.id)).status == Status.APPROVED
    assert await runner.run_once() == 1
    assert issuing.issued == [req.id]
    assert await runner.run_once() == 0  # done: not issued twice


async def test_a_decision_in_the_callers_transaction_rolls_back_with_it(moderation: ModerationService,
                                                                        operator: Staff, sessions: Sessions,
                                                                        submit: Submit) -> None:
    req = await submit()
    with pytest.raises(RuntimeError):
        async with sessions.begin() as s:
            await moderation.act(req.id, operator, "reject", "Data tidak lengkap", session=s)
            raise RuntimeError("the caller failed after the decision")
    assert (await status_of(sessions, req.id)).status == Status.SUBMITTED


async def test_reject_needs_a_reason_and_keeps_it(moderation: ModerationService, operator: Staff, sessions: Sessions,
                                                  submit: Submit) -> None:
    req = await submit()
    with pytest.raises(ReasonRequired):
        await moderation.act(req.id, operator, "reject", "  ")
    rejected = await moderation.act(req.id, operator, "reject", "Surat pengantar RT tidak terbaca")
    assert rejected.status == Status.REJECTED and rejected.reason == "Surat pengantar RT tidak terbaca"


async def test_revise_names_the_fields_the_note_mentions(moderation: ModerationService, operator: Staff,
                                                         sessions: Sessions, submit: Submit) -> None:
    req = await submit()
    revised = await moderation.act(req.id, operator, "revise", "Alamat kurang lengkap, tulis nomor rumah")
    assert revised.status == Status.NEEDS_REVISION and revised.fields_to_fix == ["alamat"]
    assert revised.note == "Alamat kurang lengkap, tulis nomor rumah"


async def test_a_decided_request_cannot_be_decided_again(moderation: ModerationService, operator: Staff,
                                                         submit: Submit) -> None:
    req = await submit()
    await moderation.act(req.id, operator, "reject", "Data tidak lengkap")
    with pytest.raises(DomainError):
        await moderation.act(req.id, operator, "approve")
    # A press on an old card says clearly what became of the request.
    approved = await submit()
    await moderation.act(approved.id, operator, "approve")
    for action, text in (("approve", None), ("reject", "terlambat"), ("revise", "alamat")):
        with pytest.raises(AlreadyDecided, match="sudah diputuskan: DISETUJUI"):
            await moderation.act(approved.id, operator, action, text)


async def test_an_unknown_action_is_an_error(moderation: ModerationService, operator: Staff, submit: Submit) -> None:
    req = await submit()
    with pytest.raises(ValueError, match="unknown action"):
        await moderation.act(req.id, operator, "archive")


async def test_issue_failure_is_retried_but_a_refusal_gives_up(
    moderation: ModerationService, operator: Staff, sessions: async_sessionmaker[AsyncSession], submit: Submit,
) -> None:
    crashing, refused = await submit(), await submit()
    for req in (crashing, refused):
        await moderation.act(req.id, operator, "approve")
    assert await runner_for(sessions, RecordingIssuing(fail=OSError("disk full"))).run_once() == 2
    async with sessions.begin() as s:  # both stay pending, to be retried after their backoff
        rows = {r.request_id: r for r in await s.scalars(select(FollowUp))}
        assert {r.status for r in rows.values()} == {"pending"}
        assert all(r.attempts == 1 and "disk full" in (r.last_error or "") and r.locked_by is None
                   for r in rows.values())
        for r in rows.values():
            r.next_attempt_at = FixedClock()()  # due again now
    assert await runner_for(sessions, RecordingIssuing(fail=GiveUp("tidak ada"))).run_once() == 2
    async with sessions() as s:
        assert {r.status for r in await s.scalars(select(FollowUp))} == {"failed"}


# -- the card ---------------------------------------------------------------------------------

async def test_card_of_a_submitted_request_offers_the_three_actions(moderation: ModerationService,
                                                                    submit: Submit) -> None:
    req = await submit()
    card = await moderation.card(req.id)
    assert card.status is Status.SUBMITTED and card.actions == list(ACTIONS.items())
    assert card.outcome is None
    text = card.text()
    assert text.startswith(f"Permohonan {req.code}") and "Kelurahan Bukit Tunggal" in text
    assert "Siti Aminah" in text and "Lampiran: 0 berkas" in text


async def test_card_after_a_decision_shows_the_outcome_and_no_actions(moderation: ModerationService,
                                                                      operator: Staff, submit: Submit) -> None:
    rejected, approved = await submit(), await submit()
    await moderation.act(rejected.id, operator, "reject", "Surat pengantar RT tidak terbaca")
    await moderation.act(approved.id, operator, "approve")
    card = await moderation.card(rejected.id)
    assert card.actions == [] and card.status is Status.REJECTED
    assert card.outcome is not None
    assert card.outcome == "DITOLAK (oleh Rina, 22-11-2026 16:00 WIB)\nAlasan: Surat pengantar RT tidak terbaca"
    card = await moderation.card(approved.id)
    assert card.outcome is not None and card.outcome.startswith("DISETUJUI (oleh Rina, 22-11-2026 16:00 WIB)")
    assert "Nomor surat: " in card.outcome


async def test_card_shows_the_residents_channel_as_staff_know_it(moderation: ModerationService,
                                                                  submit: Submit) -> None:
    req = await submit()  # a Telegram resident
    assert (await moderation.card(req.id)).text().splitlines()[2] == "Kanal: telegram"  # no label: the name
    labelled = ModerationService(moderation.sessions, moderation.lifecycle, moderation.catalogue,
                                 {"telegram": "Telegram", "whatsapp": "WhatsApp"})
    card = await labelled.card(req.id)
    assert card.channel == "Telegram"
    title, channel = card.text().splitlines()[1:3]
    assert title.endswith(" - Kelurahan Bukit Tunggal") and channel == "Kanal: Telegram"  # after the title


async def test_card_of_an_unknown_request_is_not_found(moderation: ModerationService) -> None:
    with pytest.raises(NotFound):
        await moderation.card(999_999)


async def test_staff_for_accepts_the_callers_session(moderation: ModerationService, operator: Staff, sessions: Sessions,
                                                     submit: Submit) -> None:
    req = await submit()
    async with sessions() as s:
        staff = await moderation.staff_for(req.id, channel="telegram", external_id=OPERATOR_TG, session=s)
        rows = list(await s.scalars(select(Staff).where(Staff.id == staff.id)))
    assert rows == [staff]
