"""What the browser polls: the session's outbox rows (channel "web"), rendered, each shown row marked sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from bot.webchat.http import CHANNEL, Session
from db.models import Letter, LetterRequest, OutboxMessage, Resident
from db.outbound import (
    AskFileOut,
    CardUpdateOut,
    DocumentOut,
    ModerationCardOut,
    StaffPromptOut,
    TextOut,
    parse_outbound,
)
from db.outbox import OutboxStatus, mark_sent
from verification.seal import qr_url

if TYPE_CHECKING:
    from bot.composition import Services

PAGE = 200  # outbox rows per poll


async def render_row(services: Services, row: OutboxMessage, resident_id: int | None) -> dict[str, Any]:
    """One outbox row as the chat shows it; a letter links to its PDF only for the resident it belongs to."""
    try:
        message = parse_outbound(row.payload or {})
    except ValueError:  # a row no version of the service writes: shown empty rather than breaking the feed
        return {"id": row.id, "type": "text", "text": "", "choices": [], "style": "buttons"}
    match message:
        case DocumentOut():
            return await _document(services, row.id, message, resident_id)
        case TextOut() | AskFileOut():  # a question asking for a file is shown like a text (the page has the button)
            choices = [{"value": c.value, "title": c.title} for c in message.choices]
            return {"id": row.id, "type": "text", "text": message.text, "choices": choices, "style": message.style}
        case StaffPromptOut():
            return {"id": row.id, "type": "text", "text": message.text, "choices": [], "style": "buttons"}
        case ModerationCardOut() | CardUpdateOut():  # the staff pane reads the requests themselves
            return {"id": row.id, "type": "text", "text": "", "choices": [], "style": "buttons"}


async def _document(services: Services, row_id: int, message: DocumentOut, resident_id: int | None) -> dict[str, Any]:
    settings = services.settings
    out: dict[str, Any] = {"id": row_id, "type": "document", "caption": message.caption,
                           "filename": message.filename or "surat.pdf"}
    async with services.sessions() as s:
        letter = await s.get(Letter, message.letter_id)
        owner = await s.scalar(select(LetterRequest.resident_id).where(
            LetterRequest.id == letter.request_id)) if letter else None
    if letter is not None and owner == resident_id:
        out["url"] = f"/demo/api/letters/{letter.id}.pdf"
        out["number"] = letter.number
        out["verify_url"] = qr_url(settings.http.public_url, letter.public_id, letter.seal)
        out["verify_page"] = f"{settings.http.public_url.rstrip('/')}/v/{letter.public_id}"
    return out


async def messages_after(services: Services, session: Session, after: int) -> dict[str, Any]:
    """The session's messages after the cursor (and any still pending below it), with the new cursor."""
    sessions = services.sessions
    async with sessions() as s:
        resident_id = await s.scalar(select(Resident.id).where(
            Resident.channel == CHANNEL, Resident.external_id == session.id))
        # Also rows still pending below the cursor: a transaction that took its id earlier
        # may commit after a later one was shown.
        rows = list(await s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == session.id,
                or_(OutboxMessage.id > after, OutboxMessage.status == OutboxStatus.PENDING),
            ).order_by(OutboxMessage.id).limit(PAGE)
        ))
    messages = [await render_row(services, row, resident_id) for row in rows]
    now = services.clock()
    for row in rows:
        if row.status == OutboxStatus.PENDING:
            await mark_sent(sessions, row.id, now, {"delivered": "web"})
    cursor = max([after, *(r.id for r in rows)])
    return {"messages": messages, "cursor": cursor}
