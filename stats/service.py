"""The statistics as the open API and the public page serve them: computed by `stats.figures`, serialized
once, and kept for `ttl` seconds by their filters, so that a dashboard polling them, or many people opening
`/statistik`, costs one aggregation a minute, not one each."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows import Catalogue
from stats.figures import Filters, compute_statistics

ENTRIES = 256  # filters kept at most (the oldest is dropped first)
CONCURRENT = 2


@dataclass(frozen=True)
class Figures:
    data: dict[str, Any]
    body: bytes  # the data as compact UTF-8 JSON
    etag: str  # a strong ETag of `body`


class Statistics:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], catalogue: Catalogue, ttl: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.ttl = ttl
        self.monotonic = monotonic
        self.computed = 0  # aggregations run (the tests read it)
        self._kept: dict[Filters, tuple[float, Figures]] = {}
        self._running: dict[Filters, asyncio.Future[Figures]] = {}
        # At most this many aggregations at once (each runs its queries on ~10 connections side by side):
        # a burst of new filters waits here instead of taking the connections the chats need.
        self._gate = asyncio.Semaphore(CONCURRENT)

    async def figures(self, filters: Filters) -> Figures:
        """The figures of `filters`, from the cache while fresh; callers asking for the same filters at the
        same moment share one aggregation. Raises `stats.figures.UnknownKelurahan`."""
        kept = self._kept.get(filters)
        if kept is not None and kept[0] > self.monotonic():
            return kept[1]
        running = self._running.get(filters)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Figures] = asyncio.get_running_loop().create_future()
        self._running[filters] = future
        try:
            made = await self._compute(filters)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as e:
            future.set_exception(e)
            future.exception()  # (retrieved: no "never retrieved" warning when nobody else waited)
            raise
        else:
            future.set_result(made)
            return made
        finally:
            self._running.pop(filters, None)

    async def _compute(self, filters: Filters) -> Figures:
        async with self._gate, self.sessions() as session:
            data = await compute_statistics(session, self.catalogue, filters)
        self.computed += 1
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        made = Figures(data, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        if self.ttl > 0:
            self._kept.pop(filters, None)
            if len(self._kept) >= ENTRIES:
                self._kept.pop(next(iter(self._kept)))
            self._kept[filters] = (self.monotonic() + self.ttl, made)
        return made
