"""A running verification service (uvicorn on a loopback port) over an in-memory record source."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.support.letters import make_kit
from tests.support.service import free_port
from tests.support.verification import Service, build_app
from verification.ratelimit import RateLimiter
from verification.records import MemoryRecordSource


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
