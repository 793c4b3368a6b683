"""Carries out the resident's rights over their personal data (UU No. 27 Tahun 2022) decided by the
engine (`flows.personal_data`): what is stored about them (`data saya`), and deleting it (`hapus data
saya`), in the caller's transaction.

Deleted: the profile, the chat name and the consent; the uploads of finished requests (issued, rejected,
cancelled, revoked) and of the drafts discarded; the delivered messages of the chat kept in the outbox
(they repeat what was typed). Kept: issued letters and their requests (the kelurahan's archive), and
requests still being processed with their uploads (the resident is told which, and can ask again when
they are done). Upload rows stay, marked deleted; their files are removed once the transaction commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import flows
from conversation.status import STATUS_LABELS
from db.models import Attachment, Letter, LetterRequest, OutboxMessage, Resident, SkmResponse
from db.outbound import TextOut
from db.outbox import OutboxStatus, enqueue
from db.retention import FINISHED, RESIDENT, mark_deleted, remove_files
from flows.menus import split_text
from flows.personal_data import Erased, RequestRecord, StoredData, erased_text, stored_text
from lifecycle.service import Clock

SHOWN_REQUESTS = 20
KEPT_STATUSES = ("issued", "revoked")  # the letter is in the archive: the request stays whole


class PersonalData:
    def __init__(self, catalogue: flows.Catalogue, uploads_dir: Path, retention_days: int, clock: Clock) -> None:
        self.catalogue = catalogue
        self.uploads_dir = uploads_dir
        self.retention_days = retention_days
        self.clock = clock

    async def execute(self, session: AsyncSession, resident: Resident,
                      effect: flows.ShowPersonalData | flows.ErasePersonalData) -> None:
        if isinstance(effect, flows.ShowPersonalData):
            text = stored_text(await self.stored(session, resident, effect.draft_title), self.catalogue)
        else:
            text = erased_text(await self.erase(session, resident, effect.draft_files))
        for piece in split_text(text):
            await enqueue(session, resident.channel, resident.external_id, TextOut(text=piece), self.clock())

    async def _requests(self, session: AsyncSession, resident: Resident) -> list[LetterRequest]:
        return list(await session.scalars(
            select(LetterRequest).where(LetterRequest.resident_id == resident.id).order_by(LetterRequest.id.desc())
        ))

    async def stored(self, session: AsyncSession, resident: Resident, draft_title: str | None) -> StoredData:
        requests = await self._requests(session, resident)
        files: dict[int, int] = {}
        if requests:
            for request_id, n in (await session.execute(
                select(Attachment.request_id, func.count()).where(
                    Attachment.request_id.in_([r.id for r in requests]), Attachment.deleted_at.is_(None))
                .group_by(Attachment.request_id)
            )).all():
                if request_id is not None:
                    files[request_id] = n
        records = [RequestRecord(r.code, self._title(r.letter_type), STATUS_LABELS.get(r.status, r.status), r.number,
                                 files.get(r.id, 0)) for r in requests[:SHOWN_REQUESTS]]
        return StoredData(profile=dict(resident.profile or {}), consent_at=resident.consent_at, requests=records,
                          retention_days=self.retention_days, display_name=resident.display_name,
                          draft_title=draft_title)

    async def erase(self, session: AsyncSession, resident: Resident, draft_files: list[str]) -> Erased:
        now = self.clock()
        requests = await self._requests(session, resident)
        finished = [r.id for r in requests if r.status in FINISHED]
        draft_ids = [int(ref) for ref in draft_files if ref.isdigit()]
        uploads = list(await session.scalars(select(Attachment).where(
            Attachment.deleted_at.is_(None),
            Attachment.request_id.in_(finished) | (Attachment.id.in_(draft_ids) & Attachment.request_id.is_(None)),
        ))) if finished or draft_ids else []
        unneeded = await mark_deleted(session, uploads, now, RESIDENT)
        for r in requests:
            if r.status in FINISHED and r.status not in KEPT_STATUSES:
                r.fields, r.previous = {}, None  # rejected or cancelled: nothing to archive
        if requests:  # the survey's free-text comments may name people; the scores stay (anonymous figures)
            await session.execute(update(SkmResponse).where(SkmResponse.request_id.in_([r.id for r in requests]))
                                  .values(comment=None).execution_options(synchronize_session=False))
        profile_fields = sum(1 for v in (resident.profile or {}).values() if v)
        resident.profile, resident.display_name, resident.consent_at = {}, "", None
        delivered = (OutboxMessage.channel == resident.channel, OutboxMessage.chat_id == resident.external_id,
                     OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]))
        messages = await session.scalar(select(func.count()).select_from(OutboxMessage).where(*delivered)) or 0
        await session.execute(delete(OutboxMessage).where(*delivered))
        letters = list(await session.scalars(select(Letter.number).where(
            Letter.request_id.in_([r.id for r in requests])).order_by(Letter.id))) if requests else []
        self._remove_after_commit(session, unneeded)
        active = [r.code for r in requests if r.status not in FINISHED]
        return Erased(profile_fields=profile_fields, files=len(uploads), messages=messages,
                      kept_letters=letters, active=list(reversed(active)))

    def _remove_after_commit(self, session: AsyncSession, paths: list[str]) -> None:
        if not paths:
            return

        def remove(_session: Any) -> None:
            remove_files(self.uploads_dir, paths)

        event.listen(session.sync_session, "after_commit", remove, once=True)

    def _title(self, code: str) -> str:
        letter = self.catalogue.get(code)
        return letter.short_title if letter else code
