"""Fixtures of the privacy tests: every log line of the process captured through the service's own
logging setup (restored afterwards), and the Telegram world with a realistic bot token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.composition import build_services
from bot.web import create_app
from bot.webchat.seed import seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from db.migrate import upgrade
from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram
from tests.support.logs import LogCapture, capture_logs
from tests.support.telegram import World, running_world
from tests.support.webchat import Demo


@pytest.fixture
def captured_logs() -> Iterator[LogCapture]:
    with capture_logs("json", secrets=[DEFAULT_TOKEN]) as logs:
        yield logs


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
