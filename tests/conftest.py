"""Shared fixtures. Every test that takes `db_url` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import make_engine, make_sessionmaker
from tests.dbfixtures import BACKENDS, DatabaseFactory, factory_fixture

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", params=BACKENDS)
def db_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
    DatabaseFactory
]:
    yield from factory_fixture(request, tmp_path_factory)


@pytest.fixture
async def db_url(db_factory: DatabaseFactory) -> str:
    return await db_factory.fresh()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long runs (`@pytest.mark.slow`: fuzzing with >= 10,000 examples, 30-resident crash runs) run only when
    asked for with `-m slow` (or any marker expression naming `slow`); a default run has their short variants."""
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long run: select it with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
