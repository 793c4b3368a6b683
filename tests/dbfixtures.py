"""Fresh, migrated databases for tests: SQLite always, PostgreSQL when
ESURAT_TEST_POSTGRES_URL is set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test).

Migrations run once per test session into a template (a SQLite file, a PostgreSQL
template database); every test gets its own copy.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from db.migrate import upgrade

PG_ENV = "ESURAT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]


def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _pg_dsn(url: str, database: str | None = None) -> tuple[str, str]:
    """(asyncpg dsn of the server's admin database, base url without database)."""
    base = url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
    return f"{base}/{database or 'postgres'}", url.rsplit("/", 1)[0]


async def _pg_exec(url: str, *sql: str) -> None:
    dsn, _ = _pg_dsn(url, url.rsplit("/", 1)[1].split("?")[0])
    conn = await asyncpg.connect(dsn)
    try:
        for stmt in sql:
            await conn.execute(stmt)
    finally:
        await conn.close()


# Every DROP DATABASE waits for a checkpoint of the whole server; drops waiting at the same time share one, so
# the session's databases are dropped over this many connections at once (one at a time, the ~200 databases of
# each pytest-xdist worker took 50-100 s at the end of `make test`, the checkpoints of all workers in one queue).
DROP_CONCURRENCY = 8


async def _drop_all(url: str, names: list[str]) -> None:
    gate = asyncio.Semaphore(DROP_CONCURRENCY)

    async def drop(name: str) -> None:
        async with gate:
            await _pg_exec(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    await asyncio.gather(*(drop(name) for name in names))


class DatabaseFactory:
    """Creates fresh migrated databases of one backend."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.token = uuid.uuid4().hex[:10]
        self._template: str | None = None
        self._made: list[str] = []

    def template(self) -> str:
        if self._template is None:
            if self.backend == "sqlite":
                path = self.tmp / "template.sqlite3"
                upgrade(f"sqlite+aiosqlite:///{path}")
                self._template = str(path)
            else:
                base = pg_base_url()
                assert base
                name = f"esurat_tmpl_{self.token}"
                asyncio.run(_pg_exec(base, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
                upgrade(f"{_pg_dsn(base)[1]}/{name}")
                self._template = name
        return self._template

    async def fresh(self) -> str:
        tmpl = self.template()
        if self.backend == "sqlite":
            path = self.tmp / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copyfile(tmpl, path)
            return f"sqlite+aiosqlite:///{path}"
        base = pg_base_url()
        assert base
        name = f"esurat_t_{self.token}_{len(self._made)}"
        self._made.append(name)
        await _pg_exec(base, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {tmpl}")
        return f"{_pg_dsn(base)[1]}/{name}"

    def cleanup(self) -> None:
        if self.backend != "postgres" or self._template is None:
            return
        base = pg_base_url()
        assert base
        asyncio.run(_drop_all(base, self._made))
        asyncio.run(_pg_exec(base, f"DROP DATABASE IF EXISTS {self._template} WITH (FORCE)"))


class Factories:
    """A test session's factories, one per backend, made (and migrated) when first asked for; every database
    they made is dropped at the end of the session."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._by_backend: dict[str, DatabaseFactory] = {}

    def get(self, backend: str) -> DatabaseFactory:
        if backend == "postgres" and not pg_base_url():
            pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
        if backend not in self._by_backend:
            factory = DatabaseFactory(backend, self._tmp.mktemp(f"db-{backend}"))
            factory.template()  # migrate once, outside any event loop
            self._by_backend[backend] = factory
        return self._by_backend[backend]

    def cleanup(self) -> None:
        for factory in self._by_backend.values():
            factory.cleanup()


def factories_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Factories]:
    factories = Factories(tmp_path_factory)
    try:
        yield factories
    finally:
        factories.cleanup()
