"""The database as the background workers see it: whether an error means "unreachable" (retry
later, quietly), one log line per change of state instead of a traceback per attempt, and the
loop that runs a worker's rounds with capped exponential backoff through an outage.

    await keep_running(sender.run_once, worker="telegram outbox", wakeup=sender.wakeup, idle=0.2)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping

from sqlalchemy import exc as sa_exc

log = logging.getLogger("esurat.outage")

try:  # the PostgreSQL driver; absent where only SQLite is installed
    import asyncpg

    _DRIVER_ERRORS: tuple[type[BaseException], ...] = (
        asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.AdminShutdownError,
    )
except ImportError:  # pragma: no cover
    _DRIVER_ERRORS = ()

_UNREACHABLE = (OSError, sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, *_DRIVER_ERRORS)


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """`error` and the exceptions it was raised from or during, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_unavailable(error: BaseException) -> bool:
    """True if `error` says the database cannot be reached now (refused, dropped or timed-out
    connections, a server shutting down, SQLite locked): worth retrying later, not a bug."""
    if isinstance(error, _UNREACHABLE):
        return True
    if not isinstance(error, sa_exc.SQLAlchemyError):  # e.g. an HTTP client's error caused by a socket error
        return False
    return any(isinstance(e, _UNREACHABLE) or (isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated)
               for e in exception_chain(error))


def reason(error: BaseException) -> str:
    """The error's class names along its chain: never its message, which may quote SQL parameters."""
    return " <- ".join(dict.fromkeys(type(e).__name__ for e in exception_chain(error)))


class OutageLog:
    """Logs a worker's outage as two lines, whatever the number of attempts in between: unreachable
    (and that it retries), back; plus a reminder every `remind_every` seconds of a long outage."""

    def __init__(self, worker: str, subject: str = "database", *, logger: logging.Logger = log,
                 remind_every: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.worker, self.subject, self.logger = worker, subject, logger
        self.remind_every, self.clock = remind_every, clock
        self.attempts = 0  # failed attempts in the current outage (0: up)
        self._since = self._reminded = 0.0

    @property
    def down(self) -> bool:
        return self.attempts > 0

    def failed(self, error: BaseException, retry_in: float | None = None) -> None:
        now = self.clock()
        self.attempts += 1
        if self.attempts == 1:
            self._since = self._reminded = now
            self.logger.warning("%s: %s unreachable (%s); retrying with backoff", self.worker, self.subject,
                                reason(error))
        elif now - self._reminded >= self.remind_every:
            self._reminded = now
            after = f", next in {retry_in:.0f} s" if retry_in is not None else ""
            self.logger.warning("%s: %s still unreachable after %.0f s (%d attempts%s)", self.worker, self.subject,
                                now - self._since, self.attempts, after)

    def succeeded(self) -> None:
        if self.attempts:
            self.logger.warning("%s: %s back after %.1f s (%d failed attempts)", self.worker, self.subject,
                                self.clock() - self._since, self.attempts)
            self.attempts = 0


class Backoff:
    """Capped exponential delays: first, 2*first, ... up to cap."""

    def __init__(self, first: float = 0.5, cap: float = 30.0) -> None:
        self.first, self.cap = first, cap
        self.current = 0.0

    def next(self) -> float:
        self.current = min(self.cap, self.current * 2 if self.current else self.first)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


async def keep_running(step: Callable[[], Awaitable[int | bool]], *, worker: str, wakeup: asyncio.Event | None = None,
                       idle: float = 1.0, backoff: Backoff | None = None,
                       unreachable: Mapping[str, Callable[[BaseException], bool]] | None = None,
                       logger: logging.Logger = log) -> None:
    """Run `step` forever: again at once while it reports work done; otherwise after `idle` seconds
    or when `wakeup` is set. While something it needs is unreachable (`unreachable`: what -> does
    this error mean it is unreachable; by default the database) it waits with capped exponential
    backoff, or the error's `retry_after`, logging only changes of state; a `wakeup` (someone else's
    commit) ends the wait early. Other errors are logged with a traceback once per streak of failed
    rounds and backed off the same way."""
    checks = unreachable if unreachable is not None else {"database": is_unavailable}
    outages = {what: OutageLog(worker, what, logger=logger) for what in checks}
    delays = backoff if backoff is not None else Backoff()
    failing = 0
    while True:
        try:
            busy = await step()
        except Exception as e:  # noqa: BLE001 - the worker must survive; the next round retries
            retry_after = getattr(e, "retry_after", None)
            delay = max(delays.next(), float(retry_after) if isinstance(retry_after, int | float) else 0.0)
            what = next((w for w, check in checks.items() if check(e)), None)
            if what is not None:
                outages[what].failed(e, delay)
            else:
                if not failing:
                    logger.exception("%s: a round failed; retrying with backoff", worker)
                failing += 1
            await _wait(wakeup, delay)
            continue
        for outage in outages.values():
            outage.succeeded()
        if failing:
            logger.warning("%s: working again after %d failed rounds", worker, failing)
            failing = 0
        delays.reset()
        if not busy:
            await _wait(wakeup, idle)


async def _wait(wakeup: asyncio.Event | None, seconds: float) -> None:
    if wakeup is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wakeup.wait(), seconds)
    wakeup.clear()
