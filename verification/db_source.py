"""`LetterRecordSource` over the database (`db.models.Letter` joined with its kelurahan and request).

One statement, built once: the columns a `LetterRecord` holds and nothing else (the subject's name is taken
out of the request's fields by the database, so no NIK nor the rest of the fields leave it). With
`DirectReads` (the service's, `bot.composition`) a lookup is one read on a connection of its own (about
20x less CPU than through a session: the public page's lookup is its hot path, issue #16); without, through
a read-only session (on SQLite a plain BEGIN: a check never queues behind a chat's write lock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db.direct_reads import DirectReads
from db.engine import READ_ONLY
from db.json_fields import JsonText
from db.models import Kelurahan, Letter, LetterRequest
from flows.dates import local_date
from verification.records import KelurahanContact, LetterRecord, LetterStatus, unit_codes_in
from verification.subjects import APPLICANT, Subject, masked_subject

_REPLACEMENT = aliased(Letter)  # built once: an alias made per query costs its columns every time


def record_statement(subjects: Mapping[str, Subject], where: ColumnElement[bool]) -> Select[Any]:
    """The record's columns, in `_record`'s order; the subject's (unmasked) name by the letter's type."""
    fields = LetterRequest.__table__.c.fields
    named = {code: JsonText(fields, s.field) for code, s in subjects.items() if s.field}
    subject = case(named, value=Letter.letter_type, else_=null()) if named else null()
    columns = [Letter.public_id, Letter.number, Letter.letter_type, Kelurahan.slug, Kelurahan.name,
               Kelurahan.kecamatan, Letter.issued_at, Letter.valid_until, Letter.holder_name_masked,
               Letter.nik_masked, Letter.signatory_name, Letter.signatory_title, Letter.seal, Letter.pdf_sha256,
               Letter.pdf_path, Letter.status, Letter.revoked_reason, Letter.revoked_at, subject,
               Letter.signature_kind, _REPLACEMENT.number, Letter.superseded_at]
    return (
        select(*columns)
        .join(Kelurahan, Kelurahan.id == Letter.kelurahan_id)
        .join(LetterRequest, LetterRequest.id == Letter.request_id)
        .outerjoin(_REPLACEMENT, _REPLACEMENT.id == Letter.superseded_by_id)
        .where(where)
    )


class DbRecordSource:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], type_titles: Mapping[str, str],
                 subjects: Mapping[str, Subject] | None = None, direct: DirectReads | None = None) -> None:
        self._sessions = sessions
        self._titles = type_titles
        self._subjects = dict(subjects or {})
        self._by_id = record_statement(self._subjects, Letter.public_id == bindparam("key"))
        self._by_number = record_statement(self._subjects, Letter.number == bindparam("key"))
        self._direct = direct
        if direct is not None:
            self._direct_by_id, self._direct_by_number = direct.prepare(self._by_id), direct.prepare(self._by_number)

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        if self._direct is not None:
            return self._record(await self._direct.one(self._direct_by_id, key=public_id))
        return await self._one(self._by_id, public_id)

    async def get_by_number(self, number: str) -> LetterRecord | None:
        if self._direct is not None:
            return self._record(await self._direct.one(self._direct_by_number, key=number))
        return await self._one(self._by_number, number)

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

    async def changed_since(self, since: datetime) -> list[str]:
        """The public ids of the letters revoked or replaced at or after `since` (two index range scans)."""
        query = select(Letter.public_id).where(or_(Letter.revoked_at >= since, Letter.superseded_at >= since))
        async with self._sessions() as session:
            await session.connection(execution_options={READ_ONLY: True})
            return list(await session.scalars(query))

    async def _one(self, query: Select[Any], key: str) -> LetterRecord | None:
        async with self._sessions() as session:
            # a read: on SQLite a plain BEGIN (no write lock), so checks never queue behind the chat's writes
            await session.connection(execution_options={READ_ONLY: True})
            row = (await session.execute(query, {"key": key})).first()
        return self._record(row)

    def _record(self, row: Sequence[Any] | None) -> LetterRecord | None:
        if row is None:
            return None
        (public_id, number, letter_type, kel_slug, kel_name, kecamatan, issued_at, valid_until, holder, nik,
         signatory_name, signatory_title, seal, pdf_sha256, pdf_path, status, revoked_reason, revoked_at,
         subject_name, signature_kind, replaced_by, replaced_at) = row
        subject = self._subjects.get(letter_type, APPLICANT)
        return LetterRecord(
            public_id=public_id, number=number, letter_type=letter_type,
            letter_type_title=self._titles.get(letter_type, letter_type),
            kelurahan_slug=kel_slug, kelurahan=kel_name, kecamatan=kecamatan,
            issued_on=local_date(issued_at), valid_until=valid_until, holder_name_masked=holder, nik_masked=nik,
            signatory_name=signatory_name, signatory_title=signatory_title, seal=seal,
            pdf_sha256=pdf_sha256, pdf_path=pdf_path,
            status=LetterStatus.REVOKED if status == LetterStatus.REVOKED else LetterStatus.VALID,
            revoked_reason=revoked_reason, revoked_at=revoked_at,
            subject_label=subject.label, subject_name_masked=masked_subject(subject_name),
            signature_kind=signature_kind, replaced_by_number=replaced_by, replaced_at=replaced_at,
        )

    async def aclose(self) -> None:
        if self._direct is not None:
            await self._direct.aclose()
