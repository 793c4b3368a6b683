"""A running verification service (uvicorn on a loopback port) over an in-memory record source."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from flows.definitions import LetterTypeDef
from letters.making import MadeLetter
from tests.support.letter_samples import formatted
from tests.support.letters import Kit, letter_spec, make_kit
from tests.support.service import free_port
from tests.support.verification import build_app, record_of
from verification.ratelimit import RateLimiter
from verification.records import LetterRecord, MemoryRecordSource


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
