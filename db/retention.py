"""Uploads (KTP, KK, surat pengantar) are kept only while they are needed (UU 27/2022): the file of an
attachment is deleted `upload_retention_days` after its request ended (issued, rejected, cancelled,
revoked), an upload never attached to a request (an abandoned draft) as long after it came in, and at
once when the resident asks (`hapus data saya`). The row stays, saying when and why its file went.

Files are named by their content, so two rows may share one: a file is deleted only when no row
still needing it remains. The rows are marked in a transaction and the files removed after it
commits; a file left behind by a crash in between is removed by the next round. (An identical
upload stored in the very milliseconds between the check and the removal would lose its file:
`esurat check` reports such a row.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Attachment, LetterRequest

log = logging.getLogger("esurat.retention")

RETENTION, RESIDENT = "retention", "resident"  # why a file was deleted (Attachment.deleted_reason)
CHECKED = "verification"  # a letter sent to the bot to be checked: deleted once checked
FINISHED = ("issued", "rejected", "cancelled", "revoked")  # lifecycle.transitions.Status: the request ended
LEFTOVER_WINDOW = timedelta(days=2)  # rows deleted this recently are checked for a file a crash left


async def mark_deleted(session: AsyncSession, attachments: Iterable[Attachment], now: datetime,
                       reason: str) -> list[str]:
    """Mark the attachments' files deleted (in the caller's transaction); the relative paths of the
    files no other row needs, to remove with `remove_files` once the transaction has committed."""
    rows = [a for a in attachments if a.deleted_at is None]
    for a in rows:
        a.deleted_at, a.deleted_reason = now, reason
    if not rows:
        return []
    await session.flush()
    return await unneeded(session, {a.path for a in rows})


async def unneeded(session: AsyncSession, paths: set[str]) -> list[str]:
    """The paths among `paths` that no attachment still in use points to."""
    needed = set(await session.scalars(
        select(Attachment.path).where(Attachment.path.in_(paths), Attachment.deleted_at.is_(None))
    )) if paths else set()
    return sorted(paths - needed)


def remove_files(uploads_dir: Path, paths: Iterable[str]) -> int:
    """Remove the files (relative to `uploads_dir`; anything outside it is left alone)."""
    base, removed = uploads_dir.resolve(), 0
    for rel in paths:
        path = (base / rel).resolve()
        if path.is_relative_to(base) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


async def purge_expired_uploads(sessions: async_sessionmaker[AsyncSession], uploads_dir: Path, days: int,
                                now: datetime) -> int:
    """Delete the uploads whose time is up (see the module); the number of attachment rows marked."""
    cutoff = now - timedelta(days=days)
    async with sessions.begin() as session:
        expired = list(await session.scalars(
            select(Attachment).outerjoin(LetterRequest, LetterRequest.id == Attachment.request_id).where(
                Attachment.deleted_at.is_(None),
                or_(and_(Attachment.request_id.is_not(None), LetterRequest.status.in_(FINISHED),
                         LetterRequest.updated_at <= cutoff),
                    and_(Attachment.request_id.is_(None), Attachment.created_at <= cutoff)),
            )
        ))
        gone = await mark_deleted(session, expired, now, RETENTION)
        recent = set(await session.scalars(select(Attachment.path).where(
            Attachment.deleted_at >= now - LEFTOVER_WINDOW)))
        leftovers = await unneeded(session, recent - set(gone))
    remove_files(uploads_dir, [*gone, *leftovers])
    if expired:
        log.info("retention: %d upload(s) deleted (requests ended over %d days ago)", len(expired), days)
    return len(expired)


async def retention_job(sessions: async_sessionmaker[AsyncSession], uploads_dir: Path, days: int,
                        clock: Callable[[], datetime], interval: float = 3600.0) -> None:
    """Run `purge_expired_uploads` every `interval` seconds, for the life of the service."""
    while True:
        try:
            await purge_expired_uploads(sessions, uploads_dir, days, clock())
        except Exception:  # noqa: BLE001 - tried again next round
            log.exception("retention round failed; it is tried again in %.0f s", interval)
        await asyncio.sleep(interval)
