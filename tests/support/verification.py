"""The verification app alone, over a record source the test fills (no database)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from tests.support.letters import ISSUED_AT, Kit
from verification.ratelimit import RateLimiter
from verification.records import MemoryRecordSource
from verification.router import create_verification_router


def build_app(kit: Kit, source: MemoryRecordSource, limiter: RateLimiter | None = None) -> FastAPI:
    app = FastAPI()
    router = create_verification_router(
        source, kit.keystore, kit.validator, kit.settings, limiter=limiter, clock=lambda: ISSUED_AT + timedelta(days=3)
    )
    app.include_router(router)
    return app
