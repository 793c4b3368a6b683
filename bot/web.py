"""The FastAPI application of the service: public pages, verification, webhooks, demo chat.

Everything is built by the composition root (`bot.composition`); this module only mounts the
routers of the packages that own them (each channel's among them) and runs the background workers
(the follow-up runner, the outbox sender of each channel, the channels' own workers) for the
lifespan of the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

from bot.api import create_api_router
from bot.composition import Services
from bot.delivery import Worker
from bot.http_guards import install_guards
from bot.metrics import CONTENT_TYPE_LATEST
from bot.pages import STATIC_DIR as PAGES_STATIC
from bot.pages import create_pages_router
from bot.request_id import RequestId
from db.readiness import readiness
from db.retention import retention_job
from verification.agency_api import ADDRESS_FACTOR, create_agency_router
from verification.router import create_verification_router

log = logging.getLogger("esurat.web")


def create_app(services: Services) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        storage = services.settings.storage
        await services.take_over_claims()  # before any worker claims: a killed predecessor's rows resume now
        jobs: list[Worker] = [services.run_follow_ups, lambda: retention_job(
            services.sessions, storage.uploads_dir, storage.upload_retention_days, services.clock),
            services.records.watch]  # which letters were revoked elsewhere (the verification cache's feed)
        for channel in services.channels.values():
            jobs += await channel.start()
        jobs += [sender.run_forever for sender in services.senders.values()]
        jobs.append(services.limits.run_forever)  # the request limits' counts, shared with the other replicas
        tasks = [asyncio.create_task(job()) for job in jobs]
        try:
            yield
        finally:
            for channel in services.channels.values():
                await channel.stop()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.aclose()

    app = FastAPI(title="e-surat", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_guards(app, services.settings)  # host names, proxies, body sizes; errors in Indonesian
    app.add_middleware(RequestId)  # outermost: every answer has an X-Request-ID, every log line of it the id
    metrics, settings, limits = services.metrics, services.settings, services.limits
    app.include_router(create_verification_router(
        services.records, services.keystore, services.pades, settings, clock=services.clock,
        on_verdict=metrics.verified, limiter=limits.limiter("verify", settings.verify_rate_limit_per_minute),
    ))
    app.include_router(create_agency_router(
        services.sessions, services.records, services.keystore, settings, clock=services.clock,
        limiter=limits.limiter("agency-key", settings.agency_rate_per_minute, settings.agency_rate_burst),
        addresses=limits.limiter("agency-address", ADDRESS_FACTOR * settings.agency_rate_per_minute,
                                 ADDRESS_FACTOR * settings.agency_rate_burst)))
    app.mount("/static", StaticFiles(directory=PAGES_STATIC), name="static")
    for channel in services.channels.values():  # outside `esurat demo` nothing under /demo exists
        router = channel.router()
        app.include_router(router)
        app.router.routes.extend(r for r in router.routes if isinstance(r, Mount))  # include_router skips mounts
    app.include_router(create_api_router(services))
    app.include_router(create_pages_router(services))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready to serve: the database answers and its schema is at the newest migration; else 503."""
        ready, detail = await readiness(services.engine)
        if ready:
            return JSONResponse({"status": "ready", "migration": detail})
        return JSONResponse({"status": "not_ready", "reason": detail}, status_code=503)

    @app.get("/metrics")
    async def metrics_page() -> Response:
        return Response(await metrics.scrape(services.sessions, services.clock()), media_type=CONTENT_TYPE_LATEST)

    return app
