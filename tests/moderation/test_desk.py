"""The staff desk on its own (no chat library): a press and a reply in a moderation chat, on any
channel (here "whatsapp", to show nothing is Telegram's), each handled once per update id."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import add_staff
from db.models import AuditEvent, LetterRequest, ModerationPrompt, OutboxMessage, Staff
from db.outbound import Outbound, StaffPromptOut, TextOut, parse_outbound
from flows import load_catalogue
from lifecycle.service import RequestLifecycle
from moderation.desk import APPROVED, REPLY_BELOW, UNKNOWN_BUTTON, DeskAnswer, StaffDesk
from moderation.service import ModerationService
from tests.support.lifecycle import CLASSIFICATION, FixedClock, make_resident

Sessions = async_sessionmaker[AsyncSession]
CHANNEL, GROUP, OPERATOR = "whatsapp", "120363-moderasi", "6281200000001"
FIELDS = {"nama": "Siti Aminah", "nik": "6271034507900001", "alamat": "Jl. G. Obos XII No. 5",
          "keperluan": "Pendaftaran beasiswa anak"}


@pytest.fixture
def desk(sessions: Sessions) -> StaffDesk:
    lifecycle = RequestLifecycle(sessions, classification=CLASSIFICATION, clock=FixedClock())
    return StaffDesk(ModerationService(sessions, lifecycle, load_catalogue()))


@pytest.fixture
async def operator(sessions: Sessions) -> Staff:
    return await add_staff(sessions, "bukit-tunggal", name="Rina", role="operator", identities={CHANNEL: OPERATOR})


@pytest.fixture
async def request_(desk: StaffDesk, sessions: Sessions, operator: Staff) -> LetterRequest:
    resident = await make_resident(sessions)
    return await desk.moderation.lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                      fields=FIELDS)


async def reloaded(sessions: Sessions, request_id: int) -> LetterRequest:
    async with sessions() as s:
        req = await s.get(LetterRequest, request_id)
    assert req is not None
    return req


async def to_group(sessions: Sessions) -> list[Outbound]:
    async with sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == CHANNEL,
                                                           OutboxMessage.chat_id == GROUP).order_by(OutboxMessage.id))
        return [parse_outbound(row.payload) for row in rows]


async def count(sessions: Sessions, action: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0


async def delivered_prompt(sessions: Sessions, message_id: str) -> ModerationPrompt:
    """The open prompt, as its channel's sender leaves it once sent (with the sent message's id)."""
    async with sessions.begin() as s:
        prompt = await s.scalar(select(ModerationPrompt).where(ModerationPrompt.open.is_(True)))
        assert prompt is not None
        prompt.message_id = message_id
        return prompt


async def test_the_approve_button_approves(desk: StaffDesk, sessions: Sessions, request_: LetterRequest) -> None:
    said = await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "approve", "u-1")
    assert said == DeskAnswer(APPROVED, alert=False)
    req = await reloaded(sessions, request_.id)
    assert req.status == "approved" and req.number
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "lompat", "u-2") == DeskAnswer(UNKNOWN_BUTTON, True)


async def test_reject_asks_for_the_reason_and_the_reply_rejects(desk: StaffDesk, sessions: Sessions,
                                                                request_: LetterRequest) -> None:
    said = await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "reject", "u-1")
    assert said == DeskAnswer(REPLY_BELOW)
    [prompt_out] = await to_group(sessions)
    assert isinstance(prompt_out, StaffPromptOut)
    assert prompt_out.text == (f"Tulis alasan penolakan untuk permohonan {request_.code}, "
                               "dengan membalas pesan ini.")
    prompt = await delivered_prompt(sessions, "wamid.55")
    assert prompt_out.prompt_id == prompt.id and prompt.action == "reject" and prompt.chat_id == GROUP
    assert (await reloaded(sessions, request_.id)).status == "submitted"
    await desk.reply(CHANNEL, GROUP, OPERATOR, "wamid.54", "bukan balasan untuk prompt", "u-2")  # another message
    assert (await reloaded(sessions, request_.id)).status == "submitted"
    await desk.reply(CHANNEL, GROUP, OPERATOR, "wamid.55", "Surat pengantar RT tidak terbaca", "u-3")
    req = await reloaded(sessions, request_.id)
    assert req.status == "rejected" and req.reason == "Surat pengantar RT tidak terbaca"
    async with sessions() as s:
        assert (await s.get(ModerationPrompt, prompt.id)).open is False  # type: ignore[union-attr]


async def test_a_retried_update_does_nothing_twice(desk: StaffDesk, sessions: Sessions,
                                                   request_: LetterRequest) -> None:
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "revise", "u-1") == DeskAnswer(REPLY_BELOW)
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "revise", "u-1") == DeskAnswer(REPLY_BELOW)
    assert len(await to_group(sessions)) == 1  # one prompt
    await delivered_prompt(sessions, "wamid.55")
    for _ in range(2):
        await desk.reply(CHANNEL, GROUP, OPERATOR, "wamid.55", "Alamat kurang lengkap", "u-2")
    assert await count(sessions, "request_revision") == 1
    assert (await reloaded(sessions, request_.id)).status == "needs_revision"
    assert len(await to_group(sessions)) == 1  # and no refusal for the retry

    other = await desk.moderation.lifecycle.submit_new(await make_resident(sessions, "1002"),
                                                       kelurahan_slug="bukit-tunggal", letter_type="sktm",
                                                       fields=FIELDS)
    assert await desk.press(CHANNEL, GROUP, OPERATOR, other.id, "approve", "u-3") == DeskAnswer(APPROVED)
    assert await desk.press(CHANNEL, GROUP, OPERATOR, other.id, "approve", "u-3") == DeskAnswer()  # nothing to say
    assert await count(sessions, "approve") == 1


async def test_someone_who_is_not_staff_is_refused(desk: StaffDesk, sessions: Sessions,
                                                   request_: LetterRequest) -> None:
    said = await desk.press(CHANNEL, GROUP, "6289999999999", request_.id, "approve", "u-1")
    assert said.alert and "tidak terdaftar" in said.text
    said = await desk.press("telegram", GROUP, OPERATOR, request_.id, "approve", "u-2")  # the id on another channel
    assert said.alert and "tidak terdaftar" in said.text
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "reject", "u-3") == DeskAnswer(REPLY_BELOW)
    await delivered_prompt(sessions, "wamid.55")
    await desk.reply(CHANNEL, GROUP, "6289999999999", "wamid.55", "Ditolak saja", "u-4")
    refusal = (await to_group(sessions))[-1]
    assert isinstance(refusal, TextOut)
    assert refusal.text == "Tidak dapat diproses: Anda tidak terdaftar sebagai petugas kelurahan ini"
    req = await reloaded(sessions, request_.id)
    assert req.status == "submitted" and req.number is None
    assert await count(sessions, "approve") == 0


async def test_a_decided_request_says_how_it_was_decided(desk: StaffDesk, sessions: Sessions,
                                                         request_: LetterRequest) -> None:
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "reject", "u-1") == DeskAnswer(REPLY_BELOW)
    await delivered_prompt(sessions, "wamid.55")
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "approve", "u-2") == DeskAnswer(APPROVED)
    decided = "Tindakan ini tidak dapat dilakukan: permohonan ini sudah diputuskan: DISETUJUI."
    assert await desk.press(CHANNEL, GROUP, OPERATOR, request_.id, "approve", "u-3") == DeskAnswer(decided, True)
    await desk.reply(CHANNEL, GROUP, OPERATOR, "wamid.55", "Terlambat", "u-4")  # the old prompt
    refusal = (await to_group(sessions))[-1]
    assert isinstance(refusal, TextOut) and refusal.text == f"Tidak dapat diproses: {decided}"
    assert (await reloaded(sessions, request_.id)).status == "approved"
