"""Start the HTTP service (uvicorn) with the workers the settings call for."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from bot.composition import build_services
from bot.web import create_app
from config.settings import Settings


class StartupRefused(RuntimeError):
    """The settings must not be served (`Settings.startup_problem`); the message says why, in Indonesian."""


def serve(settings: Settings, *, demo: bool) -> None:
    problem = settings.startup_problem(demo=demo)
    if problem is not None:
        raise StartupRefused(problem)
    if demo:
        from bot.webchat.seed import seed_demo

        seed_demo(settings)  # one demo staff member per kelurahan (after the migrations; idempotent)
    settings = settings.model_copy(update={"demo": demo})
    services = build_services(settings)
    app = create_app(services)
    http = settings.http
    where = (f"  (demo: {http.public_url}/demo; meja petugas: {http.public_url}/desk/demo)" if demo
             else f"  (meja petugas: {http.public_url}/desk/)")
    print(f"e-surat berjalan di {http.public_url}{where}", flush=True)
    uvicorn.Server(uvicorn_config(app, settings)).run()


def serve_workers(settings: Settings, workers: int) -> None:
    """`esurat run --workers N`: N processes (uvicorn's supervisor) on one port, each with its own services
    (`worker_app`), sharing the database: the inbox, the outbox, follow-ups and letter numbers are safe across
    processes by their leases and transactions. Telegram's getUpdates allows one reader: polling refuses."""
    problem = settings.startup_problem(demo=False)
    if problem is None and settings.telegram.enabled and settings.telegram.mode != "webhook":
        problem = ("Lebih dari satu proses (--workers) memerlukan bot Telegram dalam mode webhook "
                   "(TELEGRAM_MODE=webhook): mode polling hanya boleh dibaca satu proses.")
    if problem is not None:
        raise StartupRefused(problem)
    http = settings.http
    os.environ.update({"ESURAT_HTTP_HOST": http.host, "ESURAT_HTTP_PORT": str(http.port),
                       "ESURAT_PUBLIC_URL": http.public_url})  # what each worker's settings read
    print(f"e-surat berjalan di {http.public_url} dengan {workers} proses", flush=True)
    uvicorn.run("bot.server:worker_app", factory=True, workers=workers, host=http.host, port=http.port,
                log_level=settings.log_level.lower(), log_config=None, proxy_headers=False)


def worker_app() -> FastAPI:
    """One worker process of `serve_workers`: its settings from the environment, its services, its app."""
    from bot.cli.common import load_settings
    from bot.cli.service import _start_logging

    settings = load_settings()
    _start_logging(settings)
    return create_app(build_services(settings))


def uvicorn_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    """uvicorn believes no proxy headers: the app does, from the trusted proxies only (`bot.http_guards`).
    log_config=None: uvicorn's records go through the masking handler set up by the CLI."""
    return uvicorn.Config(app, host=settings.http.host, port=settings.http.port,
                          log_level=settings.log_level.lower(), log_config=None, proxy_headers=False)
