"""`LetterRecordSource` over the database (`db.models.Letter` joined with its kelurahan)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Kelurahan, Letter
from flows.dates import local_date
from verification.records import LetterRecord, LetterStatus


class DbRecordSource:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], type_titles: Mapping[str, str]) -> None:
        self._sessions = sessions
        self._titles = type_titles

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        query = (
            select(Letter, Kelurahan)
            .join(Kelurahan, Kelurahan.id == Letter.kelurahan_id)
            .where(Letter.public_id == public_id)
        )
        async with self._sessions() as session:
            row = (await session.execute(query)).first()
        if row is None:
            return None
        letter, kel = row
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
        )
