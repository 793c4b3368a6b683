"""The desk's live view (issue #13): an opaque version of what a staff member sees, so that an open page
follows decisions taken elsewhere (the Telegram group, a colleague) without a reload by hand. Versions
come from one query each: the kelurahan's newest request, its latest change and its latest audit event."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent, LetterRequest

VERSI_PATH = "/desk/api/versi"


def token(*parts: Any) -> str:
    """A short opaque token of `parts` (it tells nothing about the requests behind it)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


async def kelurahan_versi(session: AsyncSession, kelurahan_id: int) -> str:
    """Changes whenever a request of the kelurahan is added, changed, or gets an audit event."""
    mine = LetterRequest.kelurahan_id == kelurahan_id
    last_event = (select(func.max(AuditEvent.id)).join(LetterRequest, AuditEvent.request_id == LetterRequest.id)
                  .where(mine).correlate(None).scalar_subquery())
    row = (await session.execute(select(func.count(LetterRequest.id), func.max(LetterRequest.id),
                                        func.max(LetterRequest.updated_at), last_event).where(mine))).one()
    return token("k", *row)


async def request_versi(session: AsyncSession, request_id: int) -> str:
    """Changes whenever request `request_id` changes or gets an audit event."""
    row = (await session.execute(
        select(LetterRequest.status, LetterRequest.updated_at, func.max(AuditEvent.id), func.count(AuditEvent.id))
        .select_from(LetterRequest).outerjoin(AuditEvent, AuditEvent.request_id == LetterRequest.id)
        .where(LetterRequest.id == request_id).group_by(LetterRequest.status, LetterRequest.updated_at))).one_or_none()
    return token("r", request_id, *(row or ()))


def live_context(request: Request, has_staff: bool, status: int) -> dict[str, str] | None:
    """What desk_base.html gives live.js on a page shown by GET to a staff member: the kelurahan's version path
    and the page itself to load again (a page answering a POST polls only when its route says what to load;
    an error page never)."""
    if not has_staff or request.method != "GET" or status >= 400:
        return None
    query = request.url.query
    return {"path": VERSI_PATH, "reload": request.url.path + (f"?{query}" if query else ""), "versi": ""}
