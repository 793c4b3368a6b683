"""The demo service for the web tests: in-process over ASGI (fast API tests, SQLite and
PostgreSQL) and on a real loopback port (the browser test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from bot.composition import build_services
from bot.web import create_app
from bot.webchat.seed import seed_demo, seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from db.migrate import upgrade
from tests.support.service import free_port
from tests.support.webchat import Demo, Live, chromium, served

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_MODE", "TELEGRAM_WEBHOOK_SECRET", "ESURAT_DATABASE_URL", "ESURAT_DATA_DIR",
       "ESURAT_PUBLIC_URL", "ESURAT_HTTP_PORT", "ESURAT_UPLOAD_MAX_BYTES")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.fixture
async def demo(db_url: str, tmp_path: Path) -> AsyncIterator[Demo]:
    settings = Settings(http=HttpSettings(public_url="http://testserver"),
                        storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url), demo=True)
    services = build_services(settings)
    await seed_demo_staff(services.sessions)
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield Demo(app, services, settings, transport, client)
    await services.aclose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium; the browser tests write their screenshots to test-output/web/ (git-ignored)."""
    (Path(__file__).resolve().parents[2] / "test-output" / "web").mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


@pytest.fixture
def live_demo(tmp_path: Path) -> Iterator[Live]:
    """`esurat demo` in-process: migrated SQLite in tmp, demo staff seeded, uvicorn on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(http=HttpSettings(public_url=base, port=port),
                        storage=StorageSettings(data_dir=tmp_path / "data"), demo=True)
    settings.storage.ensure_dirs()
    upgrade(settings.storage.effective_database_url)
    seed_demo(settings)
    services = build_services(settings)
    with served(create_app(services), port):
        yield Live(base, settings)
