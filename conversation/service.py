"""Runs the pure engine (`flows.advance`) for one chat, whatever the channel: one inbound message
in one transaction (deduplicated by update id, retried on a collision), so that a crash loses
nothing and a redelivered update is handled once. The chat's state and replies are `ChatStates`'s;
here are the effects that need the lifecycle or the resident's requests: submit, cancel, status, and
the resident's personal data (`PersonalData`).
"""

from __future__ import annotations

import asyncio
from typing import assert_never

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from conversation.chats import ChatStates, EffectNotHandled
from conversation.personal_data import PersonalData
from conversation.status import status_text
from db.dedup import first_time
from db.follow_ups import schedule
from db.models import LetterRequest, Resident
from db.outbound import TextOut
from db.outbox import enqueue
from lifecycle.actors import Actor
from lifecycle.follow_ups import VERIFY_DOCUMENT
from lifecycle.service import Clock, RequestLifecycle
from visits.texts import status_lines as visit_lines

RETRIES = 4


class ConversationService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], chats: ChatStates, lifecycle: RequestLifecycle, clock: Clock,
        personal_data: PersonalData | None = None,
    ) -> None:
        self.sessions = sessions
        self.chats = chats
        self.lifecycle = lifecycle
        self.clock = clock
        self.personal_data = personal_data  # `data saya`, `hapus data saya`

    async def handle(
        self, channel: str, chat_id: str | int, inbound: flows.Inbound, *, update_id: str | int | None = None,
        display_name: str = "",
    ) -> bool:
        """Feed one inbound message; False when this update id was already handled.

        The transaction is retried when it collides with a concurrent one (two first messages of
        a new chat both creating its rows, a serialisation failure, a lock timeout), so that a
        message is not dropped for a conflict that a second attempt resolves."""
        for attempt in range(RETRIES):
            try:
                async with self.sessions.begin() as session:
                    if update_id is not None and not await first_time(session, channel, update_id, self.clock()):
                        return False
                    resident = await self.chats.resident(session, channel, str(chat_id), display_name)
                    await self.chats.step(session, resident, inbound, self.execute)
                    return True
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.02 * 2**attempt)
        raise RuntimeError("unreachable: the last attempt returns or raises")

    async def execute(self, session: AsyncSession, resident: Resident, effect: flows.Effect) -> flows.Inbound | None:
        actor = Actor.resident(resident.id)
        match effect:
            case flows.SubmitRequest(revision_of=int(request_id)):
                await self.lifecycle.resubmit(request_id, actor, fields=effect.fields,
                                              attachment_ids=_attachment_ids(effect), session=session)
            case flows.SubmitRequest():
                await self.lifecycle.submit_new(
                    actor, kelurahan_slug=effect.kelurahan_slug, letter_type=effect.letter_type,
                    fields=effect.fields, attachment_ids=_attachment_ids(effect), session=session,
                )
            case flows.CancelRequest(request_id=request_id):
                if request_id:
                    await self.lifecycle.cancel(request_id, actor, session=session)
            case flows.ShowStatus():
                rows = await session.scalars(
                    select(LetterRequest).where(LetterRequest.resident_id == resident.id)
                    .order_by(LetterRequest.id.desc()).limit(10)
                )
                text = status_text(list(rows), self.chats.catalogue)
                if self.chats.visits is not None and (visits := await self.chats.visits.booked_of(session, resident)):
                    text += "\n\n" + visit_lines(visits)
                await enqueue(session, resident.channel, resident.external_id, TextOut(text=text), self.clock())
            case flows.ShowPersonalData() | flows.ErasePersonalData():
                if self.personal_data is None:
                    raise EffectNotHandled(f"{type(effect).__name__} needs the PersonalData service")
                await self.personal_data.execute(session, resident, effect)
            case flows.VerifyDocument(file_ref=ref) if ref.isdigit():
                await schedule(session, VERIFY_DOCUMENT, f"{VERIFY_DOCUMENT}:{ref}", self.clock(), payload={
                    "attachment_id": int(ref), "channel": resident.channel, "chat_id": resident.external_id})
            case flows.VerifyDocument():
                pass  # (no stored file: nothing to check)
            case (flows.Reply() | flows.AskFile() | flows.SaveProfile() | flows.RecordConsent() | flows.BookVisit()
                  | flows.CancelVisit() | flows.RecordSurvey()):
                return await self.chats.execute(session, resident, effect)
            case _:
                assert_never(effect)
        return None


def _attachment_ids(effect: flows.SubmitRequest) -> dict[str, int]:
    """The stored attachments of a submission by requirement kind (their refs are attachment row ids)."""
    return {kind: int(ref) for kind, ref in effect.attachments.items() if str(ref).isdigit()}
