"""A channel-agnostic outbox sender: claims due rows of one channel and hands each to a task of
its own, at most one in flight per chat (so a chat keeps its order) and a bounded number in all;
a slow or hung chat holds only its own row, never the others. Each send has a time limit;
transient failures are retried with backoff and the platform's retry-after is honoured.

What the tasks delivered is settled, and the next rows claimed, in one transaction per round
(`db.outbox.settle_and_claim`), so many chats in flight do not mean many write transactions. The
claimed rows are leased to this process and renewed by its heartbeat (`db.claims`). Nothing that
matters is kept in memory: after a restart the sender resumes from the outbox table.

The platform's pace (per chat, per group, for the whole bot) is kept across replicas by booking send
slots in the database in that same transaction (`db.send_slots`, `shared_slots`); `RateLimiter` is the
per-process pace, for a sender on its own (tests).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.send_errors import error_code
from db.claims import Claims, cancel_all, keep_alive, release
from db.health import keep_running
from db.models import OutboxMessage
from db.outbox import OutboxStatus, Outcome, backoff, settle_and_claim, settle_in
from db.send_slots import SendSlots
from lifecycle.service import Clock

log = logging.getLogger("esurat.delivery")
UNCERTAIN = "uncertain:"  # last_error of a pending row whose previous attempt may have been delivered


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429 retry_after) or failed transiently; `code`: what it answered
    (its HTTP or error code), for the send-error metric."""

    def __init__(self, seconds: float, reason: str, *, count_attempt: bool = True, code: str = "retry_later") -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.count_attempt = count_attempt
        self.code = code


class PermanentFailure(Exception):
    """The message can never be delivered (chat not found, bot blocked); `code`: as `RetryLater`'s."""

    def __init__(self, reason: str, *, code: str = "undeliverable") -> None:
        super().__init__(reason)
        self.code = code


def never_a_group(chat_id: str) -> bool:
    return False


@dataclass(frozen=True)
class RatePolicy:
    """How fast a channel's platform lets us send (seconds between messages; per process)."""

    per_chat: float = 1.0
    per_group: float = 3.0
    global_per_second: float = 30.0
    is_group: Callable[[str], bool] = never_a_group  # a group chat id (spaced by `per_group`)

    def interval(self, chat_id: str) -> float:
        return self.per_group if self.is_group(chat_id) else self.per_chat


def shared_slots(channel: str, policy: RatePolicy) -> SendSlots:
    """The channel's pace kept in the database, across every replica (`db.send_slots`)."""
    return SendSlots(channel, policy.interval, 1.0 / policy.global_per_second)


class RateLimiter:
    """Minimum spacing per chat and a global rate (per process; replicas each keep their own)."""

    def __init__(self, policy: RatePolicy | None = None) -> None:
        self.policy = policy if policy is not None else RatePolicy()
        self.global_interval = 1.0 / self.policy.global_per_second
        self._next_chat: dict[str, float] = {}
        self._next_global = 0.0

    def reserve(self, chat_id: str, now: float) -> float:
        """Book the next free slot for `chat_id`; returns how long to wait for it. Concurrent senders
        each get their own slot (the booking happens before anyone awaits)."""
        at = max(now, self._next_chat.get(chat_id, 0.0), self._next_global)
        self._next_chat[chat_id] = at + self.policy.interval(chat_id)
        self._next_global = at + self.global_interval
        if len(self._next_chat) > 10_000:
            self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        return at - now


Deliver = Callable[[OutboxMessage], Awaitable[dict[str, Any] | None]]
SendFailed = Callable[[str, str], None]  # (channel, `error_code`) of every failed send attempt (metrics)
Worker = Callable[[], Coroutine[Any, Any, None]]  # a job the app runs for its lifetime (a sender, a poller)
Sleep = Callable[[float], Awaitable[None]]


class OutboxSender:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], channel: str, deliver: Deliver, *,
        clock: Clock, limiter: RateLimiter | None = None, poll_interval: float = 0.2,
        claims: Claims | None = None, send_timeout: float = 30.0, max_in_flight: int = 64,
        on_error: SendFailed | None = None, slots: SendSlots | None = None, sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`slots`: the pace shared with the other replicas (booked with the claims; `limiter` is then unused);
        without it, `limiter` paces this process's sends. `sleep`: waits for a send's moment (tests)."""
        self.sessions = sessions
        self.channel = channel
        self.deliver = deliver
        self.clock = clock
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.slots = slots
        self.sleep = sleep
        self.poll_interval = poll_interval
        self.claims = claims if claims is not None else Claims()
        self.send_timeout = send_timeout
        self.max_in_flight = max_in_flight
        self.on_error = on_error
        self.wakeup = asyncio.Event()
        self._flight: dict[int, asyncio.Task[None]] = {}  # row id -> its delivery task
        self._chats: set[str] = set()  # chats with a row in flight or not yet settled
        self._done: list[tuple[str, Outcome]] = []  # delivered, to settle in the next round
        self.hand_back_on_stop = True  # a clean stop settles and releases what it holds (a kill cannot)

    def held(self) -> set[int]:
        """Rows this sender holds: in flight, or delivered but not yet settled."""
        return set(self._flight) | {o.row_id for _, o in self._done}

    async def run_forever(self) -> None:
        heartbeat = asyncio.create_task(keep_alive(self.sessions, OutboxMessage, self.held, self.claims, self.clock))
        try:
            # Rounds until cancelled, through a database outage with backoff and a few log lines
            # (db/health.py); woken by a commit that wrote rows, or by a delivery that finished.
            await keep_running(self._tick, worker=f"{self.channel} outbox", wakeup=self.wakeup,
                               idle=self.poll_interval)
        finally:
            await cancel_all([heartbeat, *self._flight.values()])
            if self.hand_back_on_stop:
                await self._hand_back()

    async def _hand_back(self) -> None:
        """Settle what was delivered and release the rows whose delivery was cut short, so that the next
        process resumes at once instead of after the lease."""
        try:
            async with asyncio.timeout(5), self.sessions.begin() as session:
                await settle_in(session, [o for _, o in self._done], self.clock(), self.claims.owner)
                # A send cut short may have reached the chat: checked before it is sent again.
                await release(session, OutboxMessage, list(self._flight), self.claims.owner,
                              last_error=f"{UNCERTAIN} the process stopped during the send")
        except Exception as e:  # noqa: BLE001 - the leases run out instead
            log.warning("outbox sender %s: could not hand back its rows on stopping: %r", self.channel, e)

    async def run_once(self) -> int:
        """One complete round (tests): claim, deliver every claimed row, settle; returns how many were sent."""
        await self._round()
        while self._flight:
            await asyncio.gather(*self._flight.values(), return_exceptions=True)
        sent = sum(1 for _, o in self._done if o.status is OutboxStatus.SENT)
        await self._round(claim=False)
        return sent

    async def _tick(self) -> bool:
        await self._round()
        return False  # a finished delivery wakes the next round

    async def _round(self, *, claim: bool = True) -> None:
        """Settle what was delivered and claim what is due, in one transaction; start a task per row."""
        done, self._done = self._done, []
        limit = self.max_in_flight - len(self._flight) if claim else 0
        try:
            claimed = await settle_and_claim(self.sessions, self.channel, [o for _, o in done], self.clock(),
                                             self.claims, limit=limit, slots=self.slots)
        except BaseException:
            self._done = done + self._done  # settled next time; the heartbeat keeps them leased
            raise
        self._chats.difference_update(chat for chat, _ in done)
        for row in claimed.rows:
            if row.chat_id in self._chats or row.id in self._flight:  # cannot happen: one per chat is claimed
                continue
            self._chats.add(row.chat_id)
            self._flight[row.id] = asyncio.create_task(self._send(row, claimed.send_at.get(row.id)))

    def _wait(self, row: OutboxMessage, send_at: float | None) -> float:
        """Seconds until the row's moment: booked in the database, or else reserved in this process."""
        if send_at is not None:
            return max(0.0, send_at - self.clock().timestamp())
        return self.limiter.reserve(row.chat_id, time.monotonic())

    async def _send(self, row: OutboxMessage, send_at: float | None) -> None:
        try:
            outcome = await self._attempt(row, send_at)
        except Exception as e:  # noqa: BLE001 - never lose track of a row
            outcome = Outcome(row.id, OutboxStatus.PENDING, delay=backoff(row.attempts), error=repr(e))
        self._flight.pop(row.id, None)
        self._done.append((row.chat_id, outcome))
        self.wakeup.set()

    async def _attempt(self, row: OutboxMessage, send_at: float | None) -> Outcome:
        if wait := self._wait(row, send_at):
            await self.sleep(wait)
        try:
            result = await asyncio.wait_for(self.deliver(row), self.send_timeout)
        except RetryLater as e:
            self._failed(e.code)
            log.warning("outbox %s #%s retry in %.1fs: %s", self.channel, row.id, e.seconds, e)
            return Outcome(row.id, OutboxStatus.PENDING, delay=e.seconds, error=str(e), count_attempt=e.count_attempt)
        except PermanentFailure as e:
            self._failed(e.code)
            log.warning("outbox %s #%s undeliverable: %s", self.channel, row.id, e)
            return Outcome(row.id, OutboxStatus.FAILED, error=str(e))
        except TimeoutError:
            self._failed("timeout")
            log.warning("outbox %s #%s: no answer within %.0fs; retrying", self.channel, row.id, self.send_timeout)
            # The send may have arrived: the channel verifies before sending again (bot/telegram/uncertain.py).
            return Outcome(row.id, OutboxStatus.PENDING, delay=backoff(row.attempts),
                           error=f"{UNCERTAIN} no answer within {self.send_timeout:.0f}s")
        except Exception as e:  # noqa: BLE001 - transient until proven otherwise
            self._failed(error_code(e))
            log.warning("outbox %s #%s failed: %r", self.channel, row.id, e)
            return Outcome(row.id, OutboxStatus.PENDING, delay=backoff(row.attempts), error=repr(e))
        return Outcome(row.id, OutboxStatus.SENT, result)

    def _failed(self, code: str) -> None:
        if self.on_error is not None:
            self.on_error(self.channel, code)
