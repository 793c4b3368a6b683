"""A running verification service (uvicorn on a loopback port) over an in-memory record source."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import uvicorn
from fastapi import FastAPI

from flows.definitions import LetterTypeDef
from letters.making import MadeLetter
from tests.letters.helpers import ISSUED_AT, Kit, letter_spec, make_kit
from tests.letters.samples import formatted
from verification.ratelimit import RateLimiter
from verification.records import LetterRecord, MemoryRecordSource
from verification.router import create_verification_router


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    base_url: str
    kit: Kit
    source: MemoryRecordSource
    records: dict[str, LetterRecord]
    _sequence: int = 0

    def issue(self, defn: LetterTypeDef, **overrides: str) -> MadeLetter:
        self._sequence += 1
        values, rows = formatted(defn, **overrides)
        number = f"{defn.classification_code}/{self._sequence:03d}/BT/XI/2026"
        issued = self.kit.maker.make(letter_spec(defn, values, rows, number))
        record = record_of(issued, f"2026/{issued.public_id}.pdf")
        self.source.add(record)
        self.records[issued.public_id] = record
        return issued


def build_app(kit: Kit, source: MemoryRecordSource, limiter: RateLimiter | None = None) -> FastAPI:
    app = FastAPI()
    router = create_verification_router(
        source, kit.keystore, kit.validator, kit.settings, limiter=limiter, clock=lambda: ISSUED_AT + timedelta(days=3)
    )
    app.include_router(router)
    return app


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    kit = make_kit(tmp_path_factory.mktemp("verify"), public_url=base)
    source = MemoryRecordSource()
    app = build_app(kit, source, RateLimiter(per_minute=100_000))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Service(base, kit, source, {})
    server.should_exit = True
    thread.join(timeout=5)
