"""The FastAPI application of the service: public pages, verification, webhooks, demo chat.

Routers are mounted here from the packages that own them; background workers (outbox
senders, pollers) are started and stopped by the lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.composition import Services

Worker = Callable[[], Awaitable[None]]


def create_app(services: Services, *, workers: list[Worker] | None = None) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(w()) for w in (workers or [])]
        try:
            yield
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.aclose()

    app = FastAPI(title="e-surat", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.services = services

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app
