"""SQLite takes one writer at a time. Writers of one process wait their turn here, on an asyncio lock in
the event loop (first come, first served), instead of at SQLite's lock, whose busy handler polls with
sleeps of 1 to 100 ms: under load those sleeps, not the work, set the pace. Other processes on the
same file (the CLI, `--workers`) still meet at SQLite's lock, as before.

A connection takes the turn when it begins a writing transaction (BEGIN IMMEDIATE; read-only
transactions take none) and gives it back when it returns to the pool, after its commit or rollback.
A transaction cannot wait for another writer of the same task (SQLite's lock would hold it as long).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_HELD = "esurat_write_turn"


class WriteTurns:
    def __init__(self) -> None:
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {lp: lk for lp, lk in self._locks.items() if not lp.is_closed()}
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def take(self, conn: Any) -> None:
        """Wait for the turn (in the event loop: called from SQLAlchemy's greenlet); once per connection."""
        if conn.info.get(_HELD) is not None:
            return
        lock = self._lock()
        await_only(lock.acquire())
        conn.info[_HELD] = lock

    def give_back(self, record_info: dict[str, Any]) -> None:
        lock = record_info.pop(_HELD, None)
        if lock is not None and lock.locked():
            lock.release()

    def attach(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine.pool, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            self.give_back(record.info)

        @event.listens_for(engine.sync_engine.pool, "close")
        def _on_close(_dbapi_connection: Any, record: Any) -> None:
            self.give_back(record.info)
