"""The satisfaction survey (SKM) around the engine (`flows.survey`): offered when a letter is issued, in
the issue's transaction, and its answers stored as one `SkmResponse` row per request.

Offering never blocks the issue: it runs in a savepoint, and a failure there is logged and rolled back
alone (the letter is issued and sent all the same; that request then goes unsurveyed). The answers are
stored only for a request of the resident who answers, once: a second answer is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import flows
from db.models import LetterRequest, Resident, SkmResponse

log = logging.getLogger("esurat.survey")

Step = Callable[[AsyncSession, Resident, flows.Inbound], Awaitable[None]]


async def answered(session: AsyncSession, request_id: int) -> bool:
    return await session.scalar(select(SkmResponse.id).where(SkmResponse.request_id == request_id)) is not None


async def offer(session: AsyncSession, req: LetterRequest, resident: Resident, step: Step) -> None:
    """Feed the resident's chat a `SurveyOffered` for `req` (the engine asks only a chat at rest)."""
    if await answered(session, req.id):
        return
    try:
        async with session.begin_nested():
            await step(session, resident, flows.SurveyOffered(request_id=req.id, code=req.code))
    except Exception:  # noqa: BLE001 - the survey never blocks the issue
        log.exception("survey for request %s not offered", req.id)


async def record(session: AsyncSession, resident: Resident, effect: flows.RecordSurvey, now: datetime) -> None:
    """Store the answers as the request's `SkmResponse` (kelurahan and letter type from the request)."""
    req = await session.get(LetterRequest, effect.request_id)
    if req is None or req.resident_id != resident.id or await answered(session, req.id):
        return
    session.add(SkmResponse(request_id=req.id, kelurahan_id=req.kelurahan_id, letter_type=req.letter_type,
                            comment=effect.comment, answered_at=now, **effect.answers))
    await session.flush()
