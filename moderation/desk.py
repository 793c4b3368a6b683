"""The staff desk: what a staff member's button press or reply in a moderation chat does, on any
channel. A decision that needs words (a rejection reason, a correction note) is asked with a prompt
(`StaffPromptOut`, answered by replying to it) and taken from the reply. Every update is handled once
(`db.dedup`), in the transaction of what it does, so a redelivered update changes nothing twice.

Channel adapters only parse their platform's update, call `press` or `reply`, and show a press's answer
(Telegram: the callback answer; `alert`: as a pop-up)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from db.dedup import first_time
from db.models import LetterRequest, ModerationPrompt
from db.outbound import StaffPromptOut, TextOut
from db.outbox import enqueue
from lifecycle.errors import DomainError, NotAuthorized
from moderation.service import ALL_ACTIONS, NEEDS_TEXT, ModerationService

UNKNOWN_BUTTON = "Tombol tidak dikenal"
REPLY_BELOW = "Silakan balas pesan berikut"
APPROVED = "Disetujui; surat sedang diterbitkan"
FORWARDED = "Diteruskan ke Lurah untuk disetujui dan ditandatangani"


@dataclass(frozen=True)
class DeskAnswer:
    """What to tell the staff member who pressed (empty: nothing, only stop the button's spinner)."""

    text: str = ""
    alert: bool = False


class StaffDesk:
    def __init__(self, moderation: ModerationService) -> None:
        self.moderation = moderation

    async def press(self, channel: str, chat_id: str | int, staff_external_id: str | int, request_id: int,
                    action: str, update_id: str | int) -> DeskAnswer:
        """A button `action` ("approve", "forward", "reject", "revise") of request `request_id`'s card, pressed in
        `chat_id` by the person who is `staff_external_id` on `channel`."""
        if action not in ALL_ACTIONS:
            return DeskAnswer(UNKNOWN_BUTTON, alert=True)
        moderation = self.moderation
        try:
            staff = await moderation.staff_for(request_id, channel=channel, external_id=staff_external_id)
        except NotAuthorized as e:
            return DeskAnswer(str(e), alert=True)
        clock = moderation.lifecycle.clock
        if action in NEEDS_TEXT:
            async with moderation.sessions.begin() as s:  # dedup, prompt and its message: one transaction
                if await first_time(s, channel, update_id, clock()):
                    code = await s.scalar(select(LetterRequest.code).where(LetterRequest.id == request_id))
                    prompt = ModerationPrompt(channel=channel, chat_id=str(chat_id), staff_id=staff.id,
                                              request_id=request_id, action=action, created_at=clock())
                    s.add(prompt)
                    await s.flush()
                    text = f"{NEEDS_TEXT[action]} untuk permohonan {code}, dengan membalas pesan ini."
                    await enqueue(s, channel, chat_id, StaffPromptOut(text=text, prompt_id=prompt.id), clock())
            return DeskAnswer(REPLY_BELOW)
        try:  # dedup and the decision in one short transaction, which schedules the letter (a follow-up)
            async with moderation.sessions.begin() as s:
                handled_before = not await first_time(s, channel, update_id, clock())
                if not handled_before:
                    await moderation.act(request_id, staff, action, session=s)
        except DomainError as e:
            return DeskAnswer(str(e), alert=True)
        if handled_before:  # a retried update whose decision was committed: the letter is already on its way
            return DeskAnswer()
        return DeskAnswer(FORWARDED if action == "forward" else APPROVED)

    async def reply(self, channel: str, chat_id: str | int, staff_external_id: str | int,
                    replied_message_id: str | int, text: str, update_id: str | int) -> None:
        """`text` sent in `chat_id` by `staff_external_id` in reply to message `replied_message_id`: if that
        is an open prompt, the reason or note of its decision. A refusal is told in the chat."""
        moderation = self.moderation
        clock = moderation.lifecycle.clock
        try:
            async with moderation.sessions.begin() as s:  # dedup, decision and closing the prompt: one transaction
                if not await first_time(s, channel, update_id, clock()):
                    return
                prompt = await s.scalar(select(ModerationPrompt).where(
                    ModerationPrompt.channel == channel, ModerationPrompt.chat_id == str(chat_id),
                    ModerationPrompt.message_id == str(replied_message_id), ModerationPrompt.open.is_(True),
                ))
                if prompt is None:
                    return
                staff = await moderation.staff_for(prompt.request_id, channel=channel, external_id=staff_external_id,
                                                   session=s)
                await moderation.act(prompt.request_id, staff, prompt.action, text, session=s)
                prompt.open = False
        except DomainError as e:
            async with moderation.sessions.begin() as s:
                if await first_time(s, channel, update_id, clock()):
                    await enqueue(s, channel, chat_id, TextOut(text=f"Tidak dapat diproses: {e}"), clock())
