"""The survey around the engine (`conversation.survey`), on SQLite and PostgreSQL: an offer that fails is
rolled back alone and never blocks the issue's transaction; answers are stored once, for the resident
whose request it is."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from conversation import survey
from db.models import Conversation, LetterRequest, Resident, SkmResponse
from lifecycle.actors import Actor
from lifecycle.service import RequestLifecycle
from tests.support.flows import ANSWERS
from tests.support.lifecycle import FixedClock, make_resident

CATALOGUE = flows.load_catalogue()
FIELDS = {**ANSWERS, "tanggal_lahir": "1990-07-05", "jenis_kelamin": "P", "rt_rw": "003/005", "tanggungan": []}


async def submitted(sessions: async_sessionmaker[AsyncSession], resident: Actor) -> int:
    lifecycle = RequestLifecycle(sessions, classification={t.code: t.classification_code for t in CATALOGUE},
                                 clock=FixedClock())
    req = await lifecycle.submit_new(resident, kelurahan_slug="bukit-tunggal", letter_type="sktm", fields=FIELDS)
    return req.id


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[SkmResponse]:
    async with sessions() as s:
        return list(await s.scalars(select(SkmResponse)))


async def test_a_failing_offer_is_rolled_back_alone(sessions: async_sessionmaker[AsyncSession]) -> None:
    owner = await make_resident(sessions)
    request_id = await submitted(sessions, owner)

    async def failing(session: AsyncSession, resident: Resident, inbound: flows.Inbound) -> None:
        assert isinstance(inbound, flows.SurveyOffered) and inbound.request_id == request_id
        session.add(Conversation(channel=resident.channel, chat_id=resident.external_id, state={},
                                 updated_at=FixedClock()()))
        await session.flush()
        raise RuntimeError("the chat could not be advanced")

    async with sessions.begin() as s:
        req, resident = await s.get(LetterRequest, request_id), await s.get(Resident, owner.id)
        assert req is not None and resident is not None
        await survey.offer(s, req, resident, failing)  # logged, not raised
        req.note = "written after the failed offer"
    async with sessions() as s:
        assert await s.scalar(select(Conversation)) is None
        req = await s.get(LetterRequest, request_id)
        assert req is not None and req.note == "written after the failed offer"


@pytest.mark.parametrize("comment", [None, "Sudah baik"])
async def test_stored_once_for_the_owner_only(sessions: async_sessionmaker[AsyncSession], comment: str | None) -> None:
    owner = await make_resident(sessions)
    stranger = await make_resident(sessions, "2002")
    request_id = await submitted(sessions, owner)
    now = FixedClock()()

    async def answer(actor: Actor, score: int) -> None:
        async with sessions.begin() as s:
            resident = await s.get(Resident, actor.id)
            assert resident is not None
            effect = flows.RecordSurvey(request_id=request_id, answers={"u1": score, "u7": score}, comment=comment)
            await survey.record(s, resident, effect, now)

    await answer(stranger, 1)
    assert await rows(sessions) == []
    await answer(owner, 4)
    await answer(owner, 2)  # a second answer is ignored
    [row] = await rows(sessions)
    assert (row.request_id, row.letter_type, row.u1, row.u7, row.u2, row.comment) == (
        request_id, "sktm", 4, 4, None, comment)


def test_answers_off_the_scale_are_not_an_effect() -> None:
    with pytest.raises(ValueError):
        flows.RecordSurvey(request_id=1, answers={"u1": 5})
    with pytest.raises(ValueError):
        flows.RecordSurvey(request_id=1, answers={"u10": 3})
