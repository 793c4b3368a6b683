"""A channel-agnostic inbox worker: claims stored inbound updates of one channel (db/inbox.py),
hands each to the channel's `handle` function, marks it done when that returned, and schedules a
retry with backoff when it raised. Updates of one chat go one at a time and in order; different
chats go concurrently (`concurrency`; on SQLite their transactions take turns at its write lock). A round
claims a batch and marks it done in one transaction each. Claims are leased to this process
instance and renewed by a heartbeat while a handler runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.health import is_unavailable, keep_running, reason
from db.inbox import KEEP, LEASE, InboxStatus, backoff, claim, mark_done, mark_failed, mark_retry, prune, release, renew
from db.models import InboundUpdate
from lifecycle.service import Clock

log = logging.getLogger("esurat.inbox")

Handle = Callable[[InboundUpdate], Awaitable[None]]
Handled = Callable[[str, int], None]  # (channel, how many updates were handled and marked done) (metrics)
PRUNE_EVERY = 1000  # heartbeats (about an hour with the default lease)


class Unparseable(Exception):
    """The stored update can never be handled (it is not a valid update of its platform): give it up at once.
    The message must describe the problem without quoting the payload."""


class InboxWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], channel: str, handle: Handle, *, clock: Clock, owner: str,
        batch: int = 10, concurrency: int = 1, lease: timedelta = LEASE, idle: float = 1.0,
        describe: Callable[[BaseException], str] = reason, on_handled: Handled | None = None,
    ) -> None:
        self.sessions, self.channel, self.handle, self.clock = sessions, channel, handle, clock
        self.owner = owner  # this process instance: who holds a claim
        self.batch, self.concurrency = batch, concurrency  # updates claimed per round, handled at once
        self.lease, self.idle, self.describe = lease, idle, describe
        self.on_handled = on_handled
        self.wakeup = asyncio.Event()  # set when new updates were stored
        self._working: set[int] = set()  # claimed rows being handled, or handled and not yet marked done
        self._handled: list[int] = []  # handled rows to mark done in the next claim's transaction
        self._stopping = False
        self._drained = asyncio.Event()
        self._drained.set()
        self._tasks: set[asyncio.Task[None]] = set()  # the flow's updates being handled (concurrency > 1)
        self._slots = asyncio.Semaphore(concurrency)
        self._failure: BaseException | None = None  # a flow task's bookkeeping failed: raised by the next step

    async def run_forever(self) -> None:
        heartbeat = asyncio.create_task(self._heartbeat())
        step = self._flow if self.concurrency > 1 else self._round
        try:
            await keep_running(step, worker=f"{self.channel} inbox", wakeup=self.wakeup, idle=self.idle)
        finally:
            heartbeat.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            with contextlib.suppress(Exception):  # the lease runs out anyway if the database is gone
                await asyncio.wait_for(self._mark_handled(), 2.0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(release(self.sessions, self.owner), 2.0)

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - a grace period, not a deadline to poll
        """Claim nothing more and let the updates being handled finish (up to `timeout` seconds)."""
        self._stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), timeout)

    async def run_once(self) -> int:
        """Claim and handle one batch (at most one update per chat) and mark it done; the number handled or
        retried."""
        try:
            return await self._round()
        finally:
            await self._mark_handled()

    async def _mark_handled(self) -> None:
        handled, self._handled = self._handled, []
        try:
            await mark_done(self.sessions, handled, self.clock())
        except BaseException:
            self._handled = handled + self._handled
            raise
        self._working.difference_update(handled)
        self._count(handled)

    async def _round(self) -> int:
        """Mark the previous batch done and claim the next in one transaction, then handle it (the
        worker's loop: while busy, a round follows at once, so the marks wait only for that)."""
        if self._stopping:
            return 0
        rows = await self._claim(self.batch)
        if not rows:
            return 0
        self._working.update(r.id for r in rows)
        self._drained.clear()
        slots = asyncio.Semaphore(self.concurrency)

        async def one(row: InboundUpdate) -> bool:
            async with slots:
                return await self._handle(row)

        try:
            results = await asyncio.gather(*(one(r) for r in rows), return_exceptions=True)
            # Marked done with the next claim (one transaction); were that lost, the rows are handled again,
            # which the handlers' deduplication makes harmless. Until then they stay leased (the heartbeat).
            handled = [r.id for r, ok in zip(rows, results, strict=True) if ok is True]
            self._handled.extend(handled)
        finally:
            self._working.difference_update(r.id for r in rows if r.id not in self._handled)
            self._drained.set()
        for result in results:
            if isinstance(result, BaseException):
                raise result  # bookkeeping failed (database gone): the leases run out, the rows come back
        return len(rows)

    async def _claim(self, limit: int) -> list[InboundUpdate]:
        """Mark what was handled since the last claim done and claim up to `limit` more, in one transaction."""
        handled = list(self._handled)  # a copy: finishing updates append to the list meanwhile
        rows = await claim(self.sessions, self.channel, self.owner, self.clock(), limit=limit, lease=self.lease,
                           done=handled)
        self._handled = self._handled[len(handled):]
        self._working.difference_update(handled)
        self._count(handled)
        return rows

    async def _flow(self) -> int:
        """The loop's step with concurrency > 1: a pipeline, never a batch waiting for its slowest update.
        Up to 2 x `concurrency` updates are held (at most `concurrency` handled at once); once half of that
        is free, what was handled is marked done and more claimed, in one transaction. A finished update
        wakes the loop."""
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure
        free = 2 * self.concurrency - len(self._tasks)
        if self._stopping or (self._tasks and free < self.concurrency):
            return 0
        rows = await self._claim(min(free, self.batch))
        for row in rows:
            self._working.add(row.id)
            self._drained.clear()
            task = asyncio.create_task(self._flow_one(row))
            self._tasks.add(task)
        return len(rows)

    async def _flow_one(self, row: InboundUpdate) -> None:
        ok = False
        try:
            async with self._slots:
                ok = await self._handle(row)
        except Exception as e:  # noqa: BLE001 - bookkeeping failed (database gone): the lease runs out
            self._failure = e
        finally:
            if ok:
                self._handled.append(row.id)  # marked done with the next claim; leased until then
            else:
                self._working.discard(row.id)
            task = asyncio.current_task()
            if task is not None:
                self._tasks.discard(task)
            if not self._tasks:
                self._drained.set()
            self.wakeup.set()

    def _count(self, marked_done: list[int]) -> None:
        if marked_done and self.on_handled is not None:
            self.on_handled(self.channel, len(marked_done))

    async def _handle(self, row: InboundUpdate) -> bool:
        """Handle one update: True when it was handled (to be marked done); a failure is recorded here."""
        try:
            await self.handle(row)
        except Unparseable as e:
            log.warning("%s update %s cannot be handled, given up: %s", self.channel, row.update_id, e)
            await mark_failed(self.sessions, row.id, f"unparseable: {e}")
            return False
        except Exception as e:  # noqa: BLE001 - retried from the inbox
            await self._retry(row, e)
            return False
        return True

    async def _retry(self, row: InboundUpdate, error: Exception) -> None:
        outage = is_unavailable(error)  # not the update's fault: the attempt does not count
        attempts = row.attempts + (0 if outage else 1)
        retry_after = getattr(error, "retry_after", None)
        delay = float(retry_after) if isinstance(retry_after, int | float) else backoff(max(attempts, 1))
        description = self.describe(error)
        status = await mark_retry(self.sessions, row.id, self.clock(), delay, description, count_attempt=not outage)
        if status == InboxStatus.FAILED:
            log.error("%s update %s given up after %d attempts: %s", self.channel, row.update_id, attempts,
                      description)
        elif not outage:
            log.warning("%s update %s failed (attempt %d), retry in %.1f s: %s", self.channel, row.update_id,
                        attempts, delay, description)

    async def _heartbeat(self) -> None:
        """Renew the leases of the updates being handled, so that a long handler keeps its claim;
        now and then delete old handled rows."""
        every = self.lease.total_seconds() / 3
        beats = 0
        while True:
            await asyncio.sleep(every)
            try:
                if self._working:
                    await renew(self.sessions, self.owner, sorted(self._working), self.clock(), lease=self.lease)
                if beats % PRUNE_EVERY == 0:
                    await prune(self.sessions, self.clock() - KEEP)
            except Exception as e:  # noqa: BLE001 - an outage: the round itself reports it
                log.debug("%s inbox heartbeat failed: %s", self.channel, reason(e))
            beats += 1
