"""A channel-agnostic outbox sender: claims due rows of one channel, delivers them with the
channel's `deliver` function within rate limits, retries transient failures with backoff
and honours the platform's retry-after. It keeps nothing that matters in memory: after a
restart it resumes from the outbox table.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.health import keep_running
from db.models import OutboxMessage
from db.outbox import backoff, claim, mark_failed, mark_retry, mark_sent
from lifecycle.service import Clock

log = logging.getLogger("esurat.delivery")


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429 retry_after) or failed transiently."""

    def __init__(self, seconds: float, reason: str, *, count_attempt: bool = True) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.count_attempt = count_attempt


class PermanentFailure(Exception):
    """The message can never be delivered (chat not found, bot blocked)."""


class RateLimiter:
    """Minimum spacing per chat and a global rate (per process; replicas each keep their own)."""

    def __init__(self, per_chat_interval: float = 1.0, global_per_second: float = 30.0,
                 group_interval: float = 3.0) -> None:
        self.per_chat = per_chat_interval
        self.group_interval = group_interval
        self.global_interval = 1.0 / global_per_second
        self._next_chat: dict[str, float] = {}
        self._next_global = 0.0

    def delay(self, chat_id: str, now: float) -> float:
        return max(0.0, self._next_chat.get(chat_id, 0.0) - now, self._next_global - now)

    def record(self, chat_id: str, now: float) -> None:
        interval = self.group_interval if chat_id.startswith("-") else self.per_chat
        self._next_chat[chat_id] = now + interval
        self._next_global = now + self.global_interval
        if len(self._next_chat) > 10_000:
            self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}


Deliver = Callable[[OutboxMessage], Awaitable[dict[str, Any] | None]]
Worker = Callable[[], Coroutine[Any, Any, None]]  # a job the app runs for its lifetime (a sender, a poller)


class OutboxSender:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], channel: str, deliver: Deliver, *,
        clock: Clock, limiter: RateLimiter | None = None, poll_interval: float = 0.2,
    ) -> None:
        self.sessions = sessions
        self.channel = channel
        self.deliver = deliver
        self.clock = clock
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.poll_interval = poll_interval
        self.wakeup = asyncio.Event()
        # Rows are delivered concurrently, but their bookkeeping writes are serialised: on SQLite
        # concurrent writers would otherwise wait in the busy handler's sleep-and-retry loop.
        self._bookkeeping = asyncio.Lock()

    async def run_forever(self) -> None:
        """Rounds until cancelled; through a database outage with backoff and a few log lines (db/health.py)."""
        await keep_running(self.run_once, worker=f"{self.channel} outbox", wakeup=self.wakeup, idle=self.poll_interval)

    async def run_once(self) -> int:
        rows = await claim(self.sessions, self.channel, self.clock())
        by_chat: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        results = await asyncio.gather(*(self._send_chat(chat_rows) for chat_rows in by_chat.values()))
        return sum(results)

    async def _send_chat(self, rows: list[OutboxMessage]) -> int:
        sent = 0
        for row in rows:
            wait = self.limiter.delay(row.chat_id, time.monotonic())
            if wait:
                await asyncio.sleep(wait)
            self.limiter.record(row.chat_id, time.monotonic())
            try:
                result = await self.deliver(row)
            except RetryLater as e:
                log.warning("outbox %s #%s retry in %.1fs: %s", self.channel, row.id, e.seconds, e)
                async with self._bookkeeping:
                    await mark_retry(self.sessions, row.id, self.clock(), e.seconds, str(e),
                                     count_attempt=e.count_attempt)
                return sent
            except PermanentFailure as e:
                log.warning("outbox %s #%s undeliverable: %s", self.channel, row.id, e)
                async with self._bookkeeping:
                    await mark_failed(self.sessions, row.id, str(e))
                continue
            except Exception as e:  # noqa: BLE001 - transient until proven otherwise
                log.warning("outbox %s #%s failed: %r", self.channel, row.id, e)
                async with self._bookkeeping:
                    await mark_retry(self.sessions, row.id, self.clock(), backoff(row.attempts), repr(e))
                return sent
            async with self._bookkeeping:
                await mark_sent(self.sessions, row.id, self.clock(), result)
            sent += 1
        return sent
