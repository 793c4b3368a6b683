"""Fixtures of the visit tests: the engine's catalogue and directory; a service on a test database
(SQLite and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.composition import build_services
from config.settings import Settings, StorageSettings
from tests.support.lifecycle import FixedClock
from tests.visits.world import NOW, World


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    clock = FixedClock(NOW)
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    services = build_services(settings, clock=clock)
    yield World(services, clock)
    await services.aclose()
