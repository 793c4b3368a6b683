"""Group commit for webhooks: updates arriving at the same time are stored in one transaction.

Each webhook call awaits the commit that holds its update before it answers the platform, exactly as
with a transaction of its own (nothing is acknowledged before it is durable); only the commits are
shared. While one transaction is being written, the calls that arrive queue; the next transaction
takes them all (at most `max_batch`). Under load this turns one write transaction per update into one
per batch, which on SQLite also means fewer turns at its single write lock.

A batch that fails for a reason other than an outage is written again one call per transaction, so
that one call's failure is not every call's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.health import is_unavailable
from db.inbox import Received, store_many
from lifecycle.service import Clock


@dataclass
class _Call:
    channel: str
    updates: Sequence[Received]
    done: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class InboxWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, max_batch: int = 200) -> None:
        self.sessions, self.clock, self.max_batch = sessions, clock, max_batch
        self._queue: list[_Call] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, channel: str, updates: Sequence[Received]) -> int:
        """Store `updates` (a repeated one is ignored) and return how many were new, once committed."""
        call = _Call(channel, updates)
        self._queue.append(call)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        # shield: a caller that goes away (client disconnect) does not cancel the others' commit
        return await asyncio.shield(call.done)

    async def _write(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
            try:
                counts = await self._commit(batch)
            except Exception as e:  # noqa: BLE001 - handed to the callers
                if is_unavailable(e) or len(batch) == 1:
                    _fail(batch, e)
                else:
                    for call in batch:  # one by one: only the call at fault fails
                        await self._one(call)
                continue
            for call, count in zip(batch, counts, strict=True):
                if not call.done.done():
                    call.done.set_result(count)

    async def _commit(self, batch: list[_Call]) -> list[int]:
        now = self.clock()
        async with self.sessions.begin() as session:
            return await store_many(session, [(call.channel, call.updates) for call in batch], now)

    async def _one(self, call: _Call) -> None:
        try:
            [count] = await self._commit([call])
        except Exception as e:  # noqa: BLE001 - handed to the caller
            _fail([call], e)
        else:
            if not call.done.done():
                call.done.set_result(count)


def _fail(batch: list[_Call], error: Exception) -> None:
    for call in batch:
        if not call.done.done():
            call.done.set_exception(error)
