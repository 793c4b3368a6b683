"""The verification app alone, over a record source the test fills (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI

from flows.definitions import LetterTypeDef
from letters.making import MadeLetter
from tests.support.letter_samples import formatted
from tests.support.letters import ISSUED_AT, Kit, letter_spec
from verification.ratelimit import RateLimiter
from verification.records import LetterRecord, MemoryRecordSource
from verification.router import create_verification_router


def build_app(kit: Kit, source: MemoryRecordSource, limiter: RateLimiter | None = None) -> FastAPI:
    app = FastAPI()
    router = create_verification_router(
        source, kit.keystore, kit.validator, kit.settings, limiter=limiter, clock=lambda: ISSUED_AT + timedelta(days=3)
    )
    app.include_router(router)
    return app


def record_of(made: MadeLetter, pdf_path: str) -> LetterRecord:
    """The public record of a made letter, as `verification.db_source` reads it from its row."""
    spec, head = made.spec, made.spec.letterhead
    return LetterRecord(
        public_id=made.public_id, number=spec.number, letter_type=spec.letter_type.code,
        letter_type_title=spec.letter_type.title, kelurahan_slug=head.kelurahan_slug,
        kelurahan=head.kelurahan, kecamatan=head.kecamatan, issued_on=spec.issued_on,
        valid_until=spec.valid_until, holder_name_masked=made.holder_name_masked, nik_masked=made.nik_masked,
        signatory_name=head.signatory_name, signatory_title=head.signatory_title, seal=made.seal,
        pdf_sha256=made.pdf_sha256, pdf_path=pdf_path,
    )


@dataclass
class Service:
    """A running verification service (see the `service` fixture in tests/verification/conftest.py)."""

    base_url: str
    kit: Kit
    source: MemoryRecordSource
    records: dict[str, LetterRecord]
    _sequence: int = 0

    def issue(self, defn: LetterTypeDef, **overrides: str) -> MadeLetter:
        self._sequence += 1
        values, rows = formatted(defn, dependants=2, **overrides)
        number = f"{defn.classification_code}/{self._sequence:03d}/BT/XI/2026"
        issued = self.kit.maker.make(letter_spec(defn, values, rows, number))
        record = record_of(issued, f"2026/{issued.public_id}.pdf")
        self.source.add(record)
        self.records[issued.public_id] = record
        return issued
