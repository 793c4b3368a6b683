"""Fixtures of the visit tests: the engine's catalogue and directory; a service on a test database
(SQLite and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.composition import build_services
from config.settings import Settings, StorageSettings
from flows import Catalogue, Directory, load_catalogue
from tests.support.flows import seed_directory
from tests.support.lifecycle import FixedClock
from tests.visits.world import NOW, World


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def directory() -> Directory:
    return seed_directory()


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    clock = FixedClock(NOW)
    settings = Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url))
    services = build_services(settings, clock=clock)
    yield World(services, clock)
    await services.aclose()
