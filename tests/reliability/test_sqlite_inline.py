"""SQLite runs in the event loop's thread (db/sqlite_inline.py). What that must not cost: a writer of another
process (the CLI, `--workers`) holding SQLite's lock must not freeze the loop (the statement waits with asyncio
sleeps and goes through once the lock is free, or fails after the timeout); a long read begun as one runs in a
worker thread; a short one, and AsyncConnection's statements, run inline."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db import sqlite_inline
from db.engine import make_engine, make_sessionmaker, read_only_session
from db.migrate import upgrade
from db.models import Kelurahan


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'inline.sqlite3'}"
    upgrade(url)
    return url


def hold_write_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    """Another process's writer: a connection of its own holding BEGIN IMMEDIATE for `seconds`."""

    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        threading.Event().wait(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def test_a_writer_waits_for_another_processs_lock_without_freezing_the_loop(sqlite_url: str,
                                                                                  tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    held = threading.Event()
    thread = hold_write_lock(tmp_path / "inline.sqlite3", 0.4, held)
    await asyncio.to_thread(held.wait, 5)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        async with sessions.begin() as s:  # BEGIN IMMEDIATE meets the other writer's lock
            await s.execute(text("UPDATE kelurahan SET phone = phone"))
    finally:
        beat.cancel()
    thread.join(5)
    assert ticks >= 15  # the loop went on for the 0.4 s the lock was held (every 10 ms, give or take)
    await engine.dispose()


async def test_a_lock_never_released_fails_after_the_timeout(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url, connect_args={"timeout": 0.2})
    sessions = make_sessionmaker(engine)
    held = threading.Event()
    thread = hold_write_lock(tmp_path / "inline.sqlite3", 1.0, held)
    await asyncio.to_thread(held.wait, 5)
    with pytest.raises(Exception, match="locked"):
        async with sessions.begin() as s:
            await s.execute(text("UPDATE kelurahan SET phone = phone"))
    thread.join(5)
    await engine.dispose()


async def test_long_reads_run_in_a_worker_thread_and_the_rest_inline(sqlite_url: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = sqlite_inline.InlineConnection.run

    async def run(self: sqlite_inline.InlineConnection, fn: object, *args: object) -> object:
        threads.append("worker" if self.offload else "loop")
        return await real(self, fn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_inline.InlineConnection, "run", run)
    engine = make_engine(sqlite_url)
    async with read_only_session(engine) as s:
        assert (await s.scalar(select(func.count()).select_from(Kelurahan))) == 30
    assert threads and set(threads) == {"worker"}
    threads.clear()
    async with engine.connect() as conn:  # AsyncConnection insists that its statements awaited: they do
        assert (await conn.execute(select(func.count()).select_from(Kelurahan))).scalar_one() == 30
        await conn.exec_driver_sql("SELECT 1")
    async with make_sessionmaker(engine).begin() as s:
        assert (await s.scalar(select(func.count()).select_from(Kelurahan))) == 30
    assert "worker" not in threads  # inline: the adapted cursor ran SQLite itself, or the loop did
    await engine.dispose()
