"""Runs the pure engine (`flows.advance`) for one chat, whatever the channel: loads the
stored state, executes the effects (replies to the outbox, submissions through the
lifecycle, the saved profile) and stores the new state, all in one transaction, so that a
crash loses nothing and a redelivered update is handled once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from conversation.status import status_text
from db.dedup import first_time
from db.models import Conversation, Kelurahan, LetterRequest, Resident
from db.outbox import enqueue
from lifecycle.actors import Actor
from lifecycle.service import Clock, RequestLifecycle

RETRIES = 4


def reply_payload(effect: Any) -> dict[str, Any]:
    """A channel-neutral outbox payload for a Reply/AskFile effect."""
    data = effect.model_dump(mode="json")
    data["type"] = "text"
    return data


class ConversationService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], lifecycle: RequestLifecycle,
        catalogue: flows.Catalogue, directory: flows.Directory, clock: Clock,
    ) -> None:
        self.sessions = sessions
        self.lifecycle = lifecycle
        self.catalogue = catalogue
        self.directory = directory
        self.clock = clock

    async def handle(
        self, channel: str, chat_id: str | int, inbound: Any, *, update_id: str | int | None = None,
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
                    resident = await self.resident(session, channel, str(chat_id), display_name)
                    await self.step(session, resident, inbound)
                    return True
            except (IntegrityError, OperationalError):
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.02 * 2**attempt)
        raise AssertionError("unreachable")

    async def resident(self, session: AsyncSession, channel: str, chat_id: str, display_name: str = "") -> Resident:
        res = await session.scalar(
            select(Resident).where(Resident.channel == channel, Resident.external_id == chat_id)
        )
        if res is None:
            res = Resident(channel=channel, external_id=chat_id, display_name=display_name[:100], profile={},
                           created_at=self.clock())
            session.add(res)
            await session.flush()
        return res

    async def step(self, session: AsyncSession, resident: Resident, inbound: Any) -> None:
        key = (resident.channel, resident.external_id)
        conv = await session.get(Conversation, key, with_for_update=True)
        state = flows.ConversationState.model_validate(conv.state) if conv and conv.state else flows.ConversationState()
        ctx = flows.Context(catalogue=self.catalogue, directory=self.directory, now=self.clock(),
                            profile=dict(resident.profile or {}))
        new_state, effects = flows.advance(state, inbound, ctx)
        for effect in effects:
            await self.execute(session, resident, effect)
        data = new_state.model_dump(mode="json")
        if conv is None:
            session.add(Conversation(channel=key[0], chat_id=key[1], state=data, updated_at=self.clock()))
        else:
            conv.state = data
            conv.updated_at = self.clock()

    async def execute(self, session: AsyncSession, resident: Resident, effect: Any) -> None:
        kind = effect.kind
        now = self.clock()
        actor = Actor.resident(resident.id)
        if kind in ("reply", "ask_file"):
            enqueue(session, resident.channel, resident.external_id, reply_payload(effect), now)
        elif kind == "submit":
            attachment_ids = [int(ref) for ref in effect.attachments.values() if str(ref).isdigit()]
            if effect.revision_of:
                await self.lifecycle.resubmit(effect.revision_of, actor, fields=effect.fields,
                                              attachment_ids=attachment_ids, session=session)
            else:
                await self.lifecycle.submit_new(
                    actor, kelurahan_slug=effect.kelurahan_slug, letter_type=effect.letter_type,
                    fields=effect.fields, attachment_ids=attachment_ids, session=session,
                )
        elif kind == "save_profile":
            resident.profile = {**(resident.profile or {}), **effect.profile}
            if resident.consent_at is None:
                resident.consent_at = now
        elif kind == "cancel":
            request_id = getattr(effect, "request_id", None)
            if request_id:
                await self.lifecycle.cancel(request_id, actor, session=session)
        elif kind == "show_status":
            rows = await session.scalars(
                select(LetterRequest).where(LetterRequest.resident_id == resident.id)
                .order_by(LetterRequest.id.desc()).limit(10)
            )
            text = status_text(list(rows), self.catalogue)
            enqueue(session, resident.channel, resident.external_id, {"type": "text", "text": text}, now)

    async def revision_requested(self, session: AsyncSession, req: LetterRequest, resident: Resident) -> None:
        """Lifecycle hook: staff asked for a correction; take the resident back to those fields."""
        kel = await session.get(Kelurahan, req.kelurahan_id)
        inbound = flows.RevisionRequested(
            request_id=req.id, letter_type=req.letter_type, kelurahan_slug=kel.slug if kel else "",
            fields=dict(req.fields or {}), attachments={}, fields_to_fix=list(req.fields_to_fix or []),
            note=req.note or "",
        )
        await self.step(session, resident, inbound)
