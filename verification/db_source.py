"""`LetterRecordSource` over the database (`db.models.Letter` joined with its kelurahan and request)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db.engine import READ_ONLY
from db.models import Kelurahan, Letter, LetterRequest
from flows.dates import local_date
from verification.records import KelurahanContact, LetterRecord, LetterStatus, unit_codes_in
from verification.subjects import APPLICANT, Subject, subject_name

_REPLACEMENT = aliased(Letter)  # built once: an alias made per query costs its columns every time
_RECORD = (
    select(Letter, Kelurahan, LetterRequest.fields, _REPLACEMENT.number)
    .join(Kelurahan, Kelurahan.id == Letter.kelurahan_id)
    .join(LetterRequest, LetterRequest.id == Letter.request_id)
    .outerjoin(_REPLACEMENT, _REPLACEMENT.id == Letter.superseded_by_id)
)


class DbRecordSource:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], type_titles: Mapping[str, str],
                 subjects: Mapping[str, Subject] | None = None) -> None:
        self._sessions = sessions
        self._titles = type_titles
        self._subjects = subjects or {}

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        return await self._one(Letter.public_id == public_id)

    async def get_by_number(self, number: str) -> LetterRecord | None:
        return await self._one(Letter.number == number)

    async def contact_for_number(self, number: str) -> KelurahanContact | None:
        codes = unit_codes_in(number)
        if not codes:
            return None
        query = select(Kelurahan).where(func.upper(Kelurahan.unit_code).in_(codes)).limit(2)
        async with self._sessions() as session:
            found = list(await session.scalars(query))
        if len(found) != 1:
            return None
        kel = found[0]
        return KelurahanContact(kel.unit_code, kel.name, kel.kecamatan, kel.address, kel.phone)

    async def _one(self, where: ColumnElement[bool]) -> LetterRecord | None:
        query = _RECORD.where(where)
        async with self._sessions() as session:
            # a read: on SQLite a plain BEGIN (no write lock), so checks never queue behind the chat's writes
            await session.connection(execution_options={READ_ONLY: True})
            row = (await session.execute(query)).first()
        if row is None:
            return None
        letter, kel, fields, replaced_by = row
        return self._record(letter, kel, fields, replaced_by)

    def _record(self, letter: Letter, kel: Kelurahan, fields: Mapping[str, Any] | None,
                replaced_by: str | None = None) -> LetterRecord:
        subject = self._subjects.get(letter.letter_type, APPLICANT)
        return LetterRecord(
            public_id=letter.public_id, number=letter.number, letter_type=letter.letter_type,
            letter_type_title=self._titles.get(letter.letter_type, letter.letter_type),
            kelurahan_slug=kel.slug, kelurahan=kel.name, kecamatan=kel.kecamatan,
            issued_on=local_date(letter.issued_at), valid_until=letter.valid_until,
            holder_name_masked=letter.holder_name_masked, nik_masked=letter.nik_masked,
            signatory_name=letter.signatory_name, signatory_title=letter.signatory_title, seal=letter.seal,
            pdf_sha256=letter.pdf_sha256, pdf_path=letter.pdf_path,
            status=LetterStatus.REVOKED if letter.status == LetterStatus.REVOKED else LetterStatus.VALID,
            revoked_reason=letter.revoked_reason, revoked_at=letter.revoked_at,
            subject_label=subject.label, subject_name_masked=subject_name(subject, fields),
            signature_kind=letter.signature_kind, replaced_by_number=replaced_by, replaced_at=letter.superseded_at,
        )
