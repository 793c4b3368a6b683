"""What a state change schedules to follow it, written in the change's transaction as durable
follow-up rows (`db.follow_ups`). Which code runs a kind is decided by the composition root
(`bot.composition`), not here: the lifecycle only records that it must happen.

    approve -> issue_letter (make, sign and store the letter; then the request is `issued`)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.follow_ups import schedule
from db.models import FollowUp, LetterRequest
from lifecycle.transitions import Event, Status

ISSUE_LETTER = "issue_letter"
VERIFY_DOCUMENT = "verify_document"  # a letter sent to the bot: check it, answer, delete it (`verification.forwarded`)
PASSPHRASE = "passphrase"  # in an issue_letter follow-up's payload: the official's sealed passphrase

FOLLOW_UPS: dict[Event, tuple[str, ...]] = {
    Event.APPROVE: (ISSUE_LETTER,),
}


def key_of(kind: str, request_id: int) -> str:
    """One follow-up of each kind per request, e.g. "issue_letter:17"."""
    return f"{kind}:{request_id}"


async def schedule_for(session: AsyncSession, request: LetterRequest, event: Event, now: datetime) -> None:
    """In the transition's transaction: the follow-ups `event` requires for `request`."""
    for kind in FOLLOW_UPS.get(event, ()):
        await schedule(session, kind, key_of(kind, request.id), now, request_id=request.id)


async def attach_passphrase(session: AsyncSession, request_id: int, sealed: dict[str, Any], now: datetime) -> bool:
    """In the approval's transaction (or later, to sign again): give the issuing follow-up of the request the
    official's sealed passphrase (`letters.passphrases`) and make it due now. False: nothing left to sign."""
    done = await session.execute(
        update(FollowUp).where(FollowUp.key == key_of(ISSUE_LETTER, request_id), FollowUp.status == "pending")
        .values(payload={PASSPHRASE: sealed}, next_attempt_at=now).execution_options(synchronize_session=False))
    return bool(getattr(done, "rowcount", 0))


async def wipe_passphrase(session: AsyncSession, request_id: int) -> None:
    await session.execute(update(FollowUp).where(FollowUp.key == key_of(ISSUE_LETTER, request_id))
                          .values(payload={}).execution_options(synchronize_session=False))


async def backfill(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Schedule the letter of approved requests that have no follow-up (approved by a version of
    e-surat that issued letters without one); run once at start-up. Returns how many."""
    has_one = select(FollowUp.id).where(FollowUp.request_id == LetterRequest.id, FollowUp.kind == ISSUE_LETTER)
    async with sessions.begin() as session:
        ids = list(await session.scalars(
            select(LetterRequest.id).where(LetterRequest.status == Status.APPROVED.value, ~has_one.exists())
        ))
        for request_id in ids:
            await schedule(session, ISSUE_LETTER, key_of(ISSUE_LETTER, request_id), now, request_id=request_id)
    return len(ids)
