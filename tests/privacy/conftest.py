"""Fixtures of the privacy tests: every log line of the process captured through the service's own
logging setup (restored afterwards), and the Telegram world with a realistic bot token."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.composition import build_services
from bot.logging_setup import configure_logging, unconfigure_logging
from bot.web import create_app
from bot.webchat.seed import seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from db.migrate import upgrade
from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram
from tests.support.telegram import World, running_world
from tests.support.webchat import Demo

QUIET = ("uvicorn", "uvicorn.error", "uvicorn.access")


class LogCapture:
    def __init__(self, stream: io.StringIO, handler: logging.Handler) -> None:
        self.stream = stream
        self.handler = handler

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def adopt_uvicorn(self) -> None:
        """uvicorn.Config (as the tests start it) installs its own handlers; send its records here too,
        at every level, as `esurat run` does (it starts uvicorn with log_config=None)."""
        for name in QUIET:
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
            logger.setLevel(logging.NOTSET)

    def only_here(self) -> None:
        """pytest's own capture handlers (added for each test phase) keep WARNING and above: formatting
        thousands of DEBUG lines twice triples the test's time."""
        for handler in logging.getLogger().handlers:
            if handler is not self.handler:
                handler.setLevel(logging.WARNING)


@pytest.fixture
def captured_logs() -> Iterator[LogCapture]:
    root = logging.getLogger()
    saved_level = root.level
    saved_uvicorn = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate,
                         logging.getLogger(n).level) for n in QUIET}
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "json", secrets=[DEFAULT_TOKEN], stream=stream, replace=False)
    try:
        yield LogCapture(stream, handler)
    finally:
        unconfigure_logging()
        root.removeHandler(handler)
        root.setLevel(saved_level)
        for name, (handlers, propagate, level) in saved_uvicorn.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.propagate, logger.level = propagate, level
        logging.captureWarnings(False)


@pytest.fixture
async def token_world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    """The whole service on the fake Bot API with a token of the real shape (digits:35 characters)."""
    async with FakeTelegram(token=DEFAULT_TOKEN) as tg:
        async with running_world(tg, tmp_path / "data", db_url) as world:
            yield world


@contextlib.asynccontextmanager
async def demo_service(data_dir: Path, database_url: str | None = None, *, demo: bool = True,
                       ) -> AsyncIterator[Demo]:
    """`esurat demo` (or `run`, with demo=False) in-process over ASGI: migrated, demo staff seeded."""
    settings = Settings(_env_file=None, http=HttpSettings(public_url="http://127.0.0.1"),
                        storage=StorageSettings(data_dir=data_dir, database_url=database_url), demo=demo)
    settings.storage.ensure_dirs()
    if database_url is None:
        await asyncio.to_thread(upgrade, settings.storage.effective_database_url)
    services = build_services(settings)
    await seed_demo_staff(services.sessions)
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Demo(app, services, settings, transport, client)
    finally:
        await services.aclose()


@pytest.fixture
async def demo(tmp_path: Path, db_url: str) -> AsyncIterator[Demo]:
    async with demo_service(tmp_path / "data", db_url) as d:
        yield d
