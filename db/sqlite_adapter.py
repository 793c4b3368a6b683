"""SQLAlchemy's side of `db.sqlite_inline`: the DBAPI module of its aiosqlite dialect (`dbapi()`), whose adapted
cursor and connection call SQLite directly where SQLAlchemy's own would await each step (entering the cursor,
the statement, closing it; the commit): one greenlet switch and one asyncio lock a step saved. The awaitable
path is kept for a lock held by another process (waited for with asyncio sleeps) and for offloaded (long)
reads.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import await_only

from db.sqlite_inline import LOCKED, InlineConnection, connect


async def _nothing() -> None:
    return None


def _at_once(inline: Any, fn: Callable[..., Any], *args: Any) -> bool:
    """`fn(*args)` on SQLite here and now; False when it must take the awaitable path instead: the
    transaction is offloaded, or another process holds the lock (`fn` then failed and is tried again there)."""
    if inline.offload:
        return False
    try:
        fn(*args)
    except sqlite3.OperationalError as e:
        if e.sqlite_errorcode not in LOCKED:
            raise
        return False
    return True


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's adapted cursor, calling SQLite at once (see the module's docstring)."""

    __slots__ = ()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor  # an InlineCursor needs no entering

    def close(self) -> None:
        self._rows.clear()
        if not self._soft_closed_memoized:
            self._cursor._cursor.close()  # type: ignore[attr-defined]

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        cursor = self._cursor._cursor  # type: ignore[attr-defined]
        if not _at_once(self._connection, cursor.execute, operation, () if parameters is None else parameters):
            return super().execute(operation, parameters)  # waits for the lock (or runs in the worker thread)
        if cursor.description:
            self._rows = collections.deque(cursor.fetchall())
        await_only(_nothing())  # AsyncConnection.execute insists that its statement awaited something
        return None

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        if not _at_once(self._connection, self._cursor._cursor.executemany,  # type: ignore[attr-defined]
                        operation, seq_of_parameters):
            return super().executemany(operation, seq_of_parameters)
        await_only(_nothing())
        return None


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor

    def commit(self) -> None:
        if not _at_once(self._connection, self._connection._conn.commit):
            super().commit()

    def rollback(self) -> None:
        if not _at_once(self._connection, self._connection._conn.rollback):
            super().rollback()


class _Dbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        return _Connection(self, await_only(connect(*arg, **kw)))  # type: ignore[arg-type]


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The `module=` for `create_async_engine` with a `sqlite+aiosqlite://` URL."""
    module = SimpleNamespace(
        connect=connect, Connection=SimpleNamespace(stop=InlineConnection.stop), __version__="inline",
        DatabaseError=sqlite3.DatabaseError, Error=sqlite3.Error, IntegrityError=sqlite3.IntegrityError,
        NotSupportedError=sqlite3.NotSupportedError, OperationalError=sqlite3.OperationalError,
        ProgrammingError=sqlite3.ProgrammingError, sqlite_version=sqlite3.sqlite_version,
        sqlite_version_info=sqlite3.sqlite_version_info,
    )
    return _Dbapi(module, sqlite3)  # type: ignore[arg-type]


def offload(dbapi_connection: Any) -> None:
    """Run the transaction now beginning on this (SQLAlchemy-adapted) connection in a worker thread."""
    inner = getattr(dbapi_connection, "_connection", None)
    if isinstance(inner, InlineConnection):
        inner.offload = True
