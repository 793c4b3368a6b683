"""One chat's state between messages: load it, advance the engine, carry out the effects that
concern only the chat (replies to the outbox, the resident's saved profile) and store the new
state, in the caller's transaction. Needs no lifecycle: the lifecycle's hooks (a correction asked,
`revision_requested`; a letter issued, `survey_offered`) live here, and `ConversationService` adds
submitting and cancelling.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import flows
from conversation import survey
from conversation.directory import DirectorySource
from db.models import Conversation, Kelurahan, LetterRequest, Resident
from db.outbound import AskFileOut, Notice, Outbound, TextOut
from db.outbox import enqueue
from lifecycle.service import Clock, current_attachments
from visits.booking import VisitBookings

# Carries out one effect; may answer with an inbound for the engine (a visit slot taken meanwhile).
Execute = Callable[[AsyncSession, Resident, flows.Effect], Awaitable[flows.Inbound | None]]


class EffectNotHandled(RuntimeError):
    """An engine effect reached a runner that cannot carry it out (an engine invariant broken)."""


def outbound_of(effect: flows.Reply | flows.AskFile, notice: Notice | None = None) -> Outbound:
    """The outbound message of a Reply/AskFile effect."""
    match effect:
        case flows.AskFile():
            return AskFileOut(text=effect.text, attachment_kind=effect.attachment_kind, choices=effect.choices,
                              style=effect.style, notice=notice)
        case flows.Reply():
            return TextOut(text=effect.text, choices=effect.choices, style=effect.style, notice=notice)


# Built once (building a statement cost more than running it); values bound at each message.
_RESIDENT = select(Resident).where(Resident.channel == bindparam("of_channel"),
                                   Resident.external_id == bindparam("chat_id"))
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_KEY = (_CONVERSATIONS.c.channel == bindparam("of_channel")) & (_CONVERSATIONS.c.chat_id == bindparam("of_chat"))
# The chat's state as Core statements: read (locked until the commit) and written back without the ORM's
# identity map and unit of work, which cost more than the statements (every message reads and writes it).
_STATE = select(_CONVERSATIONS.c.state).where(_KEY).with_for_update()
_NEW_STATE = insert(_CONVERSATIONS).values(channel=bindparam("of_channel"), chat_id=bindparam("of_chat"),
                                           state=bindparam("new_state"), updated_at=bindparam("now"))
_SAVE_STATE = update(_CONVERSATIONS).where(_KEY).values(state=bindparam("new_state"), updated_at=bindparam("now"))
_LAST_KELURAHAN = (select(Kelurahan.slug).join(LetterRequest, LetterRequest.kelurahan_id == Kelurahan.id)
                   .where(LetterRequest.resident_id == bindparam("resident_id"))
                   .order_by(LetterRequest.id.desc()).limit(1))


class ChatStates:
    def __init__(
        self, catalogue: flows.Catalogue, directories: DirectorySource, clock: Clock, *, upload_max_bytes: int,
        visits: VisitBookings | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.visits = visits  # visit slots and bookings (letters that need a visit); None: none offered
        self.directories = directories
        self.clock = clock
        self.upload_max_bytes = upload_max_bytes

    async def resident(self, session: AsyncSession, channel: str, chat_id: str, display_name: str = "") -> Resident:
        """The resident behind a chat, registered at their first message; their chat name is kept only
        once they have agreed to the processing of their data."""
        res = await session.scalar(_RESIDENT, {"of_channel": channel, "chat_id": chat_id})
        if res is None:
            res = Resident(channel=channel, external_id=chat_id, display_name="", profile={},
                           created_at=self.clock())
            session.add(res)
            await session.flush()
        elif res.consent_at is not None and display_name and res.display_name != display_name[:100]:
            res.display_name = display_name[:100]
        return res

    async def step(self, session: AsyncSession, resident: Resident, inbound: flows.Inbound,
                   execute: Execute | None = None) -> None:
        """Feed `inbound` to the engine; its effects go, in order, to `execute` (default: `self.execute`)."""
        key = {"of_channel": resident.channel, "of_chat": resident.external_id}
        stored = (await session.execute(_STATE, key)).first()
        state = flows.ConversationState.restore(stored[0] if stored else None)
        new_state, answer = await self._advance(session, resident, state, inbound, execute)
        if answer is not None:  # the runner's answer to an effect (a slot taken meanwhile): once more
            new_state, _ = await self._advance(session, resident, new_state, answer, execute)
        values = {**key, "new_state": new_state.model_dump(mode="json"), "now": self.clock()}
        await session.execute(_SAVE_STATE if stored else _NEW_STATE, values)

    async def _advance(self, session: AsyncSession, resident: Resident, state: flows.ConversationState,
                       inbound: flows.Inbound, execute: Execute | None) -> tuple[flows.ConversationState,
                                                                                  flows.Inbound | None]:
        ctx = flows.Context(catalogue=self.catalogue, directory=await self.directories.current(session),
                            now=self.clock(), upload_max_bytes=self.upload_max_bytes,
                            profile=dict(resident.profile or {}),
                            last_kelurahan=await session.scalar(_LAST_KELURAHAN, {"resident_id": resident.id}))
        if self.visits is not None:
            slots, booked = await self.visits.context(session, resident, state, inbound)
            ctx = replace(ctx, visit_slots=slots, visits=booked)
        new_state, effects = flows.advance(state, inbound, ctx)
        answer: flows.Inbound | None = None
        for effect in effects:
            answer = await (execute or self.execute)(session, resident, effect) or answer
        return new_state, answer

    async def execute(self, session: AsyncSession, resident: Resident, effect: flows.Effect) -> flows.Inbound | None:
        """The effects that concern only the chat; the others need `ConversationService`."""
        match effect:
            case flows.Reply() | flows.AskFile():
                await enqueue(session, resident.channel, resident.external_id, outbound_of(effect), self.clock())
            case flows.SaveProfile(profile=profile):
                resident.profile = {**(resident.profile or {}), **profile}
                if resident.consent_at is None:
                    resident.consent_at = self.clock()
            case flows.RecordConsent():
                if resident.consent_at is None:
                    resident.consent_at = self.clock()
            case flows.BookVisit() if self.visits is not None:
                return await self.visits.book(session, resident, effect)
            case flows.CancelVisit(code=code) if self.visits is not None:
                await self.visits.cancel(session, resident, code)
            case flows.RecordSurvey():
                await survey.record(session, resident, effect, self.clock())
            case _:
                raise EffectNotHandled(f"{type(effect).__name__} needs the ConversationService")
        return None

    async def survey_offered(self, session: AsyncSession, req: LetterRequest, resident: Resident) -> None:
        """Lifecycle hook: the letter was issued; offer the satisfaction survey (`conversation.survey`)."""
        async def optional(session: AsyncSession, resident: Resident, effect: flows.Effect) -> flows.Inbound | None:
            if isinstance(effect, flows.Reply | flows.AskFile):  # the survey's first question: never a paid template
                message = outbound_of(effect).model_copy(update={"optional": True})
                await enqueue(session, resident.channel, resident.external_id, message, self.clock())
                return None
            return await self.execute(session, resident, effect)

        await survey.offer(session, req, resident,
                           lambda session, resident, inbound: self.step(session, resident, inbound, execute=optional))

    async def revision_requested(self, session: AsyncSession, req: LetterRequest, resident: Resident) -> None:
        """Lifecycle hook: staff asked for a correction; take the resident back to those fields.

        Opening a correction only asks questions (replies), so no lifecycle is needed here."""
        kel = await session.get(Kelurahan, req.kelurahan_id)
        files = {kind: str(ref) for kind, ref in (await current_attachments(session, req.id)).items()}
        inbound = flows.RevisionRequested(
            request_id=req.id, code=req.code, letter_type=req.letter_type, kelurahan_slug=kel.slug if kel else "",
            fields=dict(req.fields or {}), attachments=files, fields_to_fix=list(req.fields_to_fix or []),
            note=req.note or "",
        )
        title = self.catalogue[req.letter_type].title if req.letter_type in self.catalogue else req.letter_type
        notice: Notice | None = Notice(event="request_revision", code=req.code, title=title, detail=req.note or "")

        async def announce(session: AsyncSession, resident: Resident, effect: flows.Effect) -> flows.Inbound | None:
            """The first message of the correction announces it (a channel may send it as a template)."""
            nonlocal notice
            if isinstance(effect, flows.Reply | flows.AskFile) and notice is not None:
                message = outbound_of(effect, notice)
                await enqueue(session, resident.channel, resident.external_id, message, self.clock())
                notice = None
                return None
            return await self.execute(session, resident, effect)

        await self.step(session, resident, inbound, announce)
