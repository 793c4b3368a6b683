"""Shared fixtures. Every test that takes `db_url` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from db.engine import make_engine, make_sessionmaker
from flows import Catalogue, Directory, load_catalogue
from tests.dbfixtures import BACKENDS, DatabaseFactory, Factories, factories_fixture
from tests.support.flows import seed_directory

REPO = Path(__file__).resolve().parent.parent
# Services under test run on the real clock: no service-time sweep or 07.00 WIB daily summary may post into a
# test's moderation chat (tests/lifecycle/test_service_time_reminders.py drives them with a fixed clock).
os.environ.setdefault("ESURAT_REMINDERS", "false")


@pytest.fixture(scope="session")
def db_factories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Factories]:
    """The session's database factories by backend, made when first asked for (one migration each)."""
    yield from factories_fixture(tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def db_factory(request: pytest.FixtureRequest, db_factories: Factories) -> DatabaseFactory:
    """Function-scoped over session-kept factories: tests of both backends may come in any order (pytest-xdist,
    the long tests first) without a backend's template being dropped and migrated again."""
    return db_factories.get(request.param)


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



@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The letter types as shipped (flows/letter_types)."""
    return load_catalogue()


@pytest.fixture(scope="session")
def directory() -> Directory:
    """The 30 kelurahan of Palangka Raya, as the engine sees them."""
    return seed_directory()

@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on an empty data directory under tmp_path (SQLite), run from tmp_path."""
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ESURAT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long runs (`@pytest.mark.slow`: fuzzing with >= 10,000 examples, 30-resident crash runs) run only when
    asked for with `-m slow` (or any marker expression naming `slow`); a default run has their short variants."""
    slow_run = "slow" in (config.option.markexpr or "")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items[:] = _long_first(items, slow_run)
    if slow_run:
        return
    skip = pytest.mark.skip(reason="long run: select it with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


# The longest tests (seconds, roughly, on 2 cores) start first when pytest-xdist spreads the run over workers,
# one at a time between short ones, so that no worker holds two of them and none is left to start at the end.
LONG_TESTS = {
    "tests/reliability/test_crash.py::test_twenty_kills_lose_and_double_nothing": 100,
    "tests/web/test_make_demo.py::": 120,
    "tests/reliability/test_platform_faults.py::test_random_faults_": 35,
    "tests/reliability/test_db_outage.py::": 17,
    "tests/reliability/test_crash.py::test_a": 15,
    "tests/web/test_browser.py::": 10,
    "tests/verification/test_browser.py::": 10,
    "tests/whatsapp/test_end_to_end.py::": 18,
    "tests/web/test_browser_phone.py::": 18,
    "tests/web/test_verify_browser.py::": 12,
    "tests/test_migrations.py::test_upgrading": 15,
    "tests/test_replicas.py::": 25,
    "tests/privacy/test_authorization.py::": 14,
    "tests/whatsapp/test_inbound.py::": 12,
}


def _long_first(items: list[pytest.Item], slow_run: bool) -> list[pytest.Item]:
    def estimate(item: pytest.Item) -> int:
        if not slow_run and item.get_closest_marker("slow") is not None:
            return 0  # skipped
        return max((s for prefix, s in LONG_TESTS.items() if item.nodeid.startswith(prefix)), default=0)

    long = sorted((i for i in items if estimate(i)), key=estimate, reverse=True)  # stable: keeps test order
    short = [i for i in items if not estimate(i)]
    ordered: list[pytest.Item] = []
    for n, item in enumerate(long):
        ordered += [item, *short[n:n + 1]]
    return ordered + short[len(long):]
