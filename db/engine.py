"""Async engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from config.private_files import create_private, make_private
from db import sqlite_adapter
from db.write_turns import WriteTurns

T = TypeVar("T")
READ_ONLY = "esurat_read_only"  # a connection execution option: this connection's transactions only read
LONG_READ = "esurat_long_read"  # and read much (statistics, exports): on SQLite beside the event loop
SQLITE_POOL = {"pool_size": 20, "max_overflow": 20}  # the chat's 8 handlers, webhooks, senders: no connection churn


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None: another database, in memory, or a `file:` URI)."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def private_sqlite(url: str) -> None:
    """The SQLite file (full NIK, KK and phone numbers) 0600 before SQLite opens it: SQLite then makes
    its -wal and -shm files with the same mode; those left by an older version are set 0600 too."""
    path = sqlite_file(url)
    if path is None or not path.parent.is_dir():
        return
    create_private(path)
    for suffix in ("-wal", "-shm", "-journal"):
        make_private(path.with_name(path.name + suffix))


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine. On SQLite every transaction is BEGIN IMMEDIATE (one writer at a
    time, waiting up to 30 s for the lock), in WAL mode so that readers are not blocked."""
    if not is_sqlite(url):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        # No ping before every checkout (a round trip per transaction): a connection found dead raises a
        # disconnect error, which invalidates the whole pool; the caller's retry (workers, webhooks) gets new ones.
        kwargs.setdefault("pool_pre_ping", False)
        return create_async_engine(url, **kwargs)
    private_sqlite(url)
    # SQLite runs in the event loop's thread (db/sqlite_inline.py); a lock held by another process is waited
    # for up to 30 s with asyncio sleeps, not in SQLite's busy handler (off: busy_timeout 0).
    kwargs.setdefault("module", sqlite_adapter.dbapi())
    if sqlite_file(url) is not None:  # a file: a queue pool (in memory, SQLAlchemy keeps one connection)
        for option, value in SQLITE_POOL.items():
            kwargs.setdefault(option, value)
    connect_args = {"timeout": 30, **kwargs.pop("connect_args", {})}  # seconds a lock of another process is waited for
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    turns = WriteTurns()  # writers of this process queue in the event loop, not in SQLite's busy handler
    turns.attach(engine)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(READ_ONLY):
            if options.get(LONG_READ):
                sqlite_adapter.offload(conn.connection.dbapi_connection)  # beside the event loop
            conn.exec_driver_sql("BEGIN")
            return
        turns.take(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextlib.asynccontextmanager
async def read_only_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session for long reads (the statistics): on SQLite its transaction is a plain (deferred) BEGIN,
    so it takes no write lock and the chat's writes go on beside it (WAL readers see a snapshot)."""
    async with engine.connect() as conn:
        await conn.execution_options(**{READ_ONLY: True, LONG_READ: True})
        async with AsyncSession(bind=conn) as session:
            yield session


def make_sessionmaker(engine: AsyncEngine, session_class: type[Session] | None = None) -> async_sessionmaker[
    AsyncSession
]:
    if session_class is None:
        return async_sessionmaker(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def run_with_sessions(url: str, fn: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `fn(sessions)` on a short-lived engine, outside any event loop (CLI commands)."""

    async def run() -> T:
        engine = make_engine(url)
        try:
            return await fn(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
