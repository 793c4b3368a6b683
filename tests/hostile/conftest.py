"""The demo app for the hostile-input tests. (The long fuzz runs are `@pytest.mark.slow`: see tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.composition import build_services
from bot.web import create_app
from bot.webchat.seed import seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from tests.support.webchat import Demo


@pytest.fixture
async def demo(db_url: str, tmp_path: Path) -> AsyncIterator[Demo]:
    """`esurat demo` in-process over ASGI (its lifespan not run), reached at a loopback name."""
    settings = Settings(_env_file=None, http=HttpSettings(_env_file=None),
                        storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url), demo=True)
    settings.storage.ensure_dirs()
    services = build_services(settings)
    await seed_demo_staff(services.sessions)
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield Demo(app, services, settings, transport, client)
    await services.aclose()
