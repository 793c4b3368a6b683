"""The connections `db.direct_reads` runs its reads on: SQLite in a thread of its own, PostgreSQL with asyncpg.

Both read in autocommit: one SELECT is one snapshot, and there is nothing to roll back.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from queue import SimpleQueue
from typing import Any, Protocol
from urllib.parse import quote

import asyncpg
from asyncpg.exceptions import OperatorInterventionError

Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", str, Sequence[Any]]
Answer = tuple["asyncio.Future[Any]", Any, BaseException | None]
# A connection that broke (the server restarted, the network dropped it): replaced, and the read tried again.
BROKEN = (asyncpg.InterfaceError, asyncpg.PostgresConnectionError, OperatorInterventionError, OSError)


class Driver(Protocol):
    async def fetch_one(self, sql: str, args: Sequence[Any]) -> Sequence[Any] | None: ...

    async def aclose(self) -> None: ...


def _settle(answers: list[Answer]) -> None:
    for future, result, error in answers:
        if future.done():  # the waiting request was cancelled
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class SqliteThread:
    """One SQLite connection (`PRAGMA query_only`) in a daemon thread: a read is one hand-off there and back,
    and the SQLite work runs beside the event loop. The file must exist (it is never created here)."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.uri = f"file:{quote(str(path))}?mode=rw"
        self.timeout = timeout  # waiting for a lock (seconds): as the engine's busy timeout
        self._jobs: SimpleQueue[Job | None] | None = None

    async def fetch_one(self, sql: str, args: Sequence[Any]) -> Sequence[Any] | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self._jobs is None:
            self._jobs = SimpleQueue()
            threading.Thread(target=self._serve, args=(self._jobs,), name="esurat-direct-reads", daemon=True).start()
        self._jobs.put((loop, future, sql, args))
        result: Sequence[Any] | None = await future
        return result

    def _serve(self, jobs: SimpleQueue[Job | None]) -> None:
        conn: sqlite3.Connection | None = None
        running = True
        while running:
            batch = [jobs.get()]
            while not jobs.empty():  # the reads queued meanwhile go back together: one wake-up of the loop
                batch.append(jobs.get_nowait())
            answers: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
            for job in batch:
                if job is None:
                    running = False
                    continue
                loop, future, sql, args = job
                result, error = None, None
                try:
                    if conn is None:
                        conn = sqlite3.connect(self.uri, uri=True, timeout=self.timeout, isolation_level=None,
                                               check_same_thread=False)
                        conn.execute("PRAGMA query_only=ON")
                    result = conn.execute(sql, args).fetchone()
                except Exception as e:  # noqa: BLE001 - the reader's to raise
                    error = e
                answers.setdefault(loop, []).append((future, result, error))
            for loop, settled in answers.items():
                with contextlib.suppress(RuntimeError):  # its event loop closed meanwhile
                    loop.call_soon_threadsafe(_settle, settled)
        if conn is not None:
            conn.close()

    async def aclose(self) -> None:
        jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.put(None)  # the thread closes its connection after the reads queued before


class PgConnections:
    """Up to `size` asyncpg connections, one read at a time on each (a read waits for a free one). Bound to the
    event loop that opened them: in another loop, new ones are opened (the old ones are dropped)."""

    def __init__(self, connect_kwargs: dict[str, Any], size: int) -> None:
        self._kwargs = {"timeout": 10, **connect_kwargs}
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._free: asyncio.Queue[asyncpg.Connection | None] | None = None  # None: a slot not connected yet
        self._open: set[asyncpg.Connection] = set()

    def _slots(self) -> asyncio.Queue[asyncpg.Connection | None]:
        loop = asyncio.get_running_loop()
        if self._free is None or self._loop is not loop:
            self._drop_all()
            self._loop, self._free = loop, asyncio.Queue()
            for _ in range(self._size):
                self._free.put_nowait(None)
        return self._free

    async def fetch_one(self, sql: str, args: Sequence[Any]) -> Sequence[Any] | None:
        free = self._slots()
        conn = await free.get()
        try:
            for attempt in range(2):
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(**self._kwargs)
                    self._open.add(conn)
                try:
                    row: Sequence[Any] | None = await conn.fetchrow(sql, *args)
                    return row
                except BROKEN:
                    self._drop(conn)
                    conn = None
                    if attempt:
                        raise
            raise AssertionError("unreachable")
        finally:
            free.put_nowait(conn)

    def _drop(self, conn: asyncpg.Connection) -> None:
        self._open.discard(conn)
        with contextlib.suppress(Exception):  # (its event loop may be closed)
            conn.terminate()

    def _drop_all(self) -> None:
        for conn in list(self._open):
            self._drop(conn)

    async def aclose(self) -> None:
        conns, self._open, self._free = list(self._open), set(), None
        for conn in conns:
            try:
                await asyncio.wait_for(conn.close(), 5)
            except Exception:  # noqa: BLE001 - closing anyway
                conn.terminate()
