"""SQLite for SQLAlchemy's asyncio engine, run in the event loop's own thread.

aiosqlite runs every call (cursor, execute, fetch, close) in a thread of the connection and wakes the
event loop for each answer: four hand-offs per statement, which cost the loop more than SQLite's work on
the chat's short statements. Here a statement runs where it is awaited. What could make the loop wait:
- another process's writer (the CLI, `--workers`): SQLite's busy handler is off (busy_timeout 0) and a
  statement that meets a lock is tried again after an asyncio sleep, up to the connection's timeout;
  writers of this process wait their turn on an asyncio lock first (`db.write_turns`);
- a long read (the statistics, exports): a transaction begun as one (`db.engine.LONG_READ`) runs in a
  worker thread instead (`offload`), as aiosqlite would have.

It plugs in as the DBAPI module of SQLAlchemy's aiosqlite dialect (`dbapi()`), which expects aiosqlite's
interface: awaitable connect, `cursor()` usable with `async with`, awaitable execute/fetch/commit/close.
SQLAlchemy's side of it (its adapted cursor and connection calling SQLite at once) is `db.sqlite_adapter`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator, Sequence
from types import SimpleNamespace
from typing import Any, TypeVar

T = TypeVar("T")
LOCKED = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.05  # seconds between tries at a lock held by another process


class InlineConnection:
    """A sqlite3 connection behind aiosqlite's interface (what SQLAlchemy's adapter calls)."""

    def __init__(self, conn: sqlite3.Connection, timeout: float) -> None:
        self._conn = self._connection = conn  # the names SQLAlchemy's adapter reads
        self._tx = _RunNow()
        self.timeout = timeout
        self.offload = False  # this transaction's statements run in a worker thread (long reads)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` here (or in a worker thread when offloaded); a lock held by another process is waited
        for with asyncio sleeps."""
        deadline, pause = time.monotonic() + self.timeout, FIRST_PAUSE
        while True:
            try:
                if self.offload:
                    return await asyncio.to_thread(fn, *args)
                return fn(*args)
            except sqlite3.OperationalError as e:
                if e.sqlite_errorcode not in LOCKED or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def commit(self) -> None:
        try:
            await self.run(self._conn.commit)
        finally:
            self.offload = False

    async def rollback(self) -> None:
        try:
            await self.run(self._conn.rollback)
        finally:
            self.offload = False

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


class InlineCursor:
    def __init__(self, owner: InlineConnection) -> None:
        self._owner = owner
        self._cursor = owner._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        await self._owner.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Sequence[Any]) -> InlineCursor:
        await self._owner.run(self._cursor.executemany, sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return await self._owner.run(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return await self._owner.run(self._cursor.fetchmany, size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return await self._owner.run(self._cursor.fetchall)

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """aiosqlite's job queue, as SQLAlchemy's adapter uses it (setting the isolation level): run at once."""

    def put_nowait(self, job: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = job
        try:
            result = function()
        except BaseException as e:  # noqa: BLE001 - handed to the waiting caller
            if future is not None:
                future.set_exception(e)
            return
        if future is not None:
            future.set_result(result)


class _Connecting:
    """What `connect` returns: awaited by SQLAlchemy (it also marks aiosqlite's thread a daemon: `_thread`)."""

    def __init__(self, database: str, timeout: float, kwargs: dict[str, Any]) -> None:
        self._thread = SimpleNamespace(daemon=True)
        self.database, self.timeout, self.kwargs = database, timeout, kwargs

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        conn = sqlite3.connect(self.database, timeout=0, check_same_thread=False, **self.kwargs)
        return InlineConnection(conn, self.timeout)
        yield  # makes this a generator (never reached)


def connect(database: str, timeout: float = 5.0, **kwargs: Any) -> _Connecting:
    kwargs.pop("check_same_thread", None)
    return _Connecting(database, timeout, kwargs)
