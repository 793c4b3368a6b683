"""Prepared one-row reads on connections of their own, outside SQLAlchemy's session, pool and result machinery.

For a hot read-only lookup (the public verification page: one row by a unique key per request), a session
with its pool checkout, transaction and ORM rows costs 0.2-1 ms of CPU a query where the database itself
needs some 20 us (measured for issue #16, `bench/bench_verify.py`). `DirectReads.prepare` compiles a Core
SELECT once for the engine's dialect; `one` runs it on a connection of its own in autocommit (each SELECT
its own read snapshot: on SQLite no BEGIN and no write lock, so it never queues behind the chat's writes)
and gives the row's values as SQLAlchemy would (the columns' `result_processor`: UTC datetimes, dates).
The drivers are in `db.direct_drivers`. Connections open at the first read; `aclose()` closes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from db.direct_drivers import Driver, PgConnections, SqliteThread
from db.engine import sqlite_file

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PreparedRead:
    sql: str
    order: tuple[str, ...]  # the bound parameters' names, in the order the SQL takes them
    fixed: dict[str, Any]  # the values the statement binds itself (constants)
    binds: Mapping[str, Processor]  # by parameter name: how a value goes to the driver
    results: tuple[Processor, ...]  # by column: how the driver's value comes back


def _prepare(stmt: Select[Any], dialect: Dialect) -> PreparedRead:
    compiled = stmt.compile(dialect=dialect)
    order = tuple(compiled.positiontup or ())
    binds = {name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order}
    results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in stmt.selected_columns)
    fixed = {name: compiled.params[name] for name in order if not compiled.binds[name].required}
    return PreparedRead(str(compiled), order, fixed, binds, results)


class DirectReads:
    def __init__(self, dialect: Dialect, driver: Driver) -> None:
        self.dialect = dialect
        self._driver = driver

    @classmethod
    def for_engine(cls, engine: AsyncEngine, connections: int = 4) -> DirectReads | None:
        """Reads beside `engine`, on its database; None where a connection of its own would not see the same
        data (SQLite in memory) or the backend is not one of ours."""
        dialect = engine.dialect
        if dialect.name == "sqlite":
            path = sqlite_file(engine.url.render_as_string(hide_password=False))
            return None if path is None else cls(dialect, SqliteThread(path))
        if dialect.driver == "asyncpg":
            _, kwargs = dialect.create_connect_args(engine.url)
            for option in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback"):
                kwargs.pop(option, None)  # SQLAlchemy's own, not asyncpg's
            return cls(dialect, PgConnections(dict(kwargs), connections))
        return None

    def prepare(self, stmt: Select[Any]) -> PreparedRead:
        """Compile `stmt` once (its parameters plain `bindparam`s, given to `one` by name)."""
        return _prepare(stmt, self.dialect)

    async def one(self, read: PreparedRead, **params: Any) -> Sequence[Any] | None:
        """The first row of `read` with these parameters, typed as its columns say; None: no row."""
        values = read.fixed | params
        args = []
        for name in read.order:
            process = read.binds[name]
            args.append(values[name] if process is None else process(values[name]))
        row = await self._driver.fetch_one(read.sql, args)
        if row is None:
            return None
        return [value if process is None or value is None else process(value)
                for process, value in zip(read.results, row, strict=True)]

    async def aclose(self) -> None:
        await self._driver.aclose()
