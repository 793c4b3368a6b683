"""Runs follow-ups (`db.follow_ups`): claims due rows, runs the handler the composition root
registered for each kind, marks them done, or retries them with backoff. Woken as soon as a
transaction that scheduled one commits; also polls, for rows scheduled by other processes and
for retries. Claims are leased to this process and renewed by its heartbeat (`db.claims`), so
after a crash another process (or the restarted one) takes them over within one lease.

Handlers must be idempotent: a follow-up may run again after a crash between its effect and
its completion (issuing, for one, completes without re-issuing a request already issued).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.claims import Claims, cancel_all, keep_alive, release
from db.follow_ups import FollowUpStatus, Job, claim, finish, status_of
from db.models import FollowUp
from lifecycle.service import Clock

log = logging.getLogger("esurat.follow_ups")

Handler = Callable[[Job], Awaitable[None]]


class GiveUp(Exception):
    """Raised by a handler: this follow-up can never succeed (it is marked failed, not retried)."""


def retry_delay(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    return min(cap, base * 2.0 ** max(0, attempts - 1))


class FollowUpRunner:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], handlers: Mapping[str, Handler], *,
                 clock: Clock, claims: Claims | None = None, poll_interval: float = 1.0,
                 max_in_flight: int = 4) -> None:
        self.sessions = sessions
        self.handlers = dict(handlers)
        self.clock = clock
        self.claims = claims if claims is not None else Claims()
        self.poll_interval = poll_interval
        self.max_in_flight = max_in_flight
        self.wakeup = asyncio.Event()
        self._flight: dict[int, asyncio.Task[None]] = {}
        self.hand_back_on_stop = True  # a clean stop releases the follow-ups it was running (a kill cannot)

    def held(self) -> set[int]:
        return set(self._flight)

    async def run_forever(self) -> None:
        heartbeat = asyncio.create_task(keep_alive(self.sessions, FollowUp, self.held, self.claims, self.clock))
        failing = False
        try:
            while True:
                self.wakeup.clear()
                try:
                    await self._claim_and_start()
                except Exception as e:  # noqa: BLE001 - survive database outages
                    if not failing:
                        log.warning("follow-ups: database unavailable (%r); retrying", e)
                    failing = True
                else:
                    if failing:
                        log.info("follow-ups: database available again")
                    failing = False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), self.poll_interval)
        finally:
            running = list(self._flight)
            await cancel_all([heartbeat, *self._flight.values()])
            if self.hand_back_on_stop and running:
                try:
                    async with asyncio.timeout(5), self.sessions.begin() as session:
                        await release(session, FollowUp, running, self.claims.owner)
                except Exception as e:  # noqa: BLE001 - their leases run out instead
                    log.warning("follow-ups: could not release %d on stopping: %r", len(running), e)

    async def run_once(self) -> int:
        """Run every due follow-up now (tests, tools); returns how many were claimed."""
        jobs = await claim(self.sessions, self.clock(), self.claims, limit=1000)
        for job in jobs:
            await self._run(job)
        return len(jobs)

    async def expedite(self, key: str, wait: float = 10.0) -> FollowUpStatus | None:
        """Run follow-up `key` now if it is due and nobody runs it; if another task or process runs it,
        wait (up to `wait` s) until it ends. Returns its status then. The web staff pane answers an
        approval with the issued letter this way; the path (claim, handler, finish) is the runner's."""
        jobs = await claim(self.sessions, self.clock(), self.claims, limit=1, key=key)
        if jobs:
            task = asyncio.create_task(self._run(jobs[0]))
            self._flight[jobs[0].id] = task
            await asyncio.shield(task)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            status, running = await status_of(self.sessions, key, self.clock())
            if not running or loop.time() >= deadline:
                return status
            await asyncio.sleep(0.05)

    async def _claim_and_start(self) -> None:
        jobs = await claim(self.sessions, self.clock(), self.claims, limit=self.max_in_flight - len(self._flight))
        for job in jobs:
            if job.id not in self._flight:  # (its lease ran out while the database was away: still ours)
                self._flight[job.id] = asyncio.create_task(self._run(job))

    async def _run(self, job: Job) -> None:
        try:
            await self._attempt(job)
        finally:
            self._flight.pop(job.id, None)
            self.wakeup.set()

    async def _attempt(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:  # e.g. scheduled by a newer version: leave it for a process that knows it
                raise LookupError(f"no handler for follow-up kind {job.kind!r}")
            await handler(job)
        except GiveUp as e:
            log.warning("follow-up %s gave up: %s", job.key, e)
            await self._finish(job, FollowUpStatus.FAILED, error=str(e))
        except Exception as e:  # noqa: BLE001 - retried with backoff
            delay = retry_delay(job.attempts)
            log.warning("follow-up %s attempt %d failed (%s); retry in %.0fs", job.key, job.attempts,
                        type(e).__name__, delay)
            await self._finish(job, FollowUpStatus.PENDING, retry_in=delay, error=repr(e)[:500])
        else:
            await self._finish(job, FollowUpStatus.DONE)

    async def _finish(self, job: Job, status: FollowUpStatus, *, retry_in: float = 0.0,
                      error: str | None = None) -> None:
        try:
            if not await finish(self.sessions, job.id, self.claims.owner, self.clock(), status=status,
                                retry_in=retry_in, error=error):
                log.warning("follow-up %s was taken over by another process before it ended", job.key)
        except Exception as e:  # noqa: BLE001 - the lease runs out and the follow-up runs again
            log.warning("follow-up %s: could not record its end (%r); it will run again", job.key, e)
