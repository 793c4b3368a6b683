"""The FastAPI application of the service: public pages, verification, webhooks, demo chat.

Routers are mounted here from the packages that own them; background workers (outbox
senders, the Telegram poller, the issuing sweep) are started and stopped by the lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.composition import Services
from bot.pages import STATIC_DIR as PAGES_STATIC
from bot.pages import create_pages_router
from bot.webchat import STATIC_DIR as WEBCHAT_STATIC
from bot.webchat import create_webchat_router
from verification.router import create_verification_router

log = logging.getLogger("esurat.web")
Worker = Callable[[], Awaitable[None]]


async def issuing_sweep(services: Services, interval: float = 60.0) -> None:
    """Issue approved requests whose letter was not made (crash between approval and issue)."""
    while True:
        try:
            await services.issuing.issue_pending()
        except Exception:  # noqa: BLE001 - retried next round
            log.exception("issuing sweep failed")
        await asyncio.sleep(interval)


def create_app(services: Services, *, workers: list[Worker] | None = None) -> FastAPI:
    settings = services.settings
    telegram = None
    if settings.telegram_bot_token:
        from bot.telegram.runtime import build_telegram

        telegram = build_telegram(settings, services.conversation, services.moderation, services.uploads)
        services.outbox_signal.subscribe(telegram.sender.wakeup)
        services.extras["telegram"] = telegram

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs: list[Worker] = [lambda: issuing_sweep(services), *(workers or [])]
        if telegram is not None:
            from bot.telegram.runtime import setup_webhook

            jobs.append(telegram.run_sender)
            if settings.telegram_mode == "webhook":
                await setup_webhook(telegram)
            else:
                jobs.append(telegram.run_polling)
        tasks = [asyncio.create_task(job()) for job in jobs]
        try:
            yield
        finally:
            if telegram is not None:
                await telegram.stop()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.aclose()

    app = FastAPI(title="e-surat", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.services = services
    app.include_router(create_verification_router(
        services.records, services.keystore, services.pades, settings, clock=services.clock,
    ))
    if telegram is not None:
        app.include_router(telegram.webhook_router())
    app.mount("/static", StaticFiles(directory=PAGES_STATIC), name="static")
    app.mount("/demo/static", StaticFiles(directory=WEBCHAT_STATIC), name="demo-static")
    app.include_router(create_pages_router(services))
    app.include_router(create_webchat_router(services))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app
