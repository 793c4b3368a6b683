"""The engine's kelurahan directory, kept in step with the `kelurahan` table.

The table is the one source of truth: the lifecycle files requests against it, and the CLI
(another process) renames kelurahan in it. The chat reads it at its first message and again
once its copy is older than `max_age` seconds, so an operator's change reaches the chat within
that time without a query on every message (reading the table costs about a tenth of a
message's handling; it changes a few times a year).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

import flows
from db.directory import load_directory


class DirectorySource:
    def __init__(self, max_age: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age  # seconds; 0 reads the table for every message
        self.monotonic = monotonic
        self._directory: flows.Directory | None = None
        self._read_at = 0.0

    async def current(self, session: AsyncSession) -> flows.Directory:
        """The directory, read again through `session` when the copy held is too old."""
        now = self.monotonic()
        if self._directory is None or not 0 <= now - self._read_at < self.max_age:
            self._directory = await load_directory(session)
            self._read_at = now
        return self._directory
