"""Request limits shared by the replicas (/v/, the agencies' API, the desk's login), with no database
write per request: the /v/ page stays as fast as an in-memory check.

Each replica keeps its token buckets (`verification.ratelimit.RateLimiter`) and counts what they let each
client spend in the current minute. About once a second (`sync`) it publishes the counts that changed, in
one upsert batch (`db.rate_counts`), and reads what the other replicas published since it last looked; what
another replica let a client spend is taken from this replica's bucket too (`RateLimiter.debit`), so each
replica's bucket is the client's across all of them, a sync or two late.

How far over its allowance a client can get: what the other replicas let it through in the last one or two
sync intervals (each publishes, then the others read, once a second), about one bucket (the burst) each
at most. So with R replicas and a client spreading a burst over all of them at once, at most
(R - 1) x burst above the limit; the buckets then go below zero and the client waits that much longer, so
over minutes the rate holds. A replica that starts counts what the others publish from its start on (what
was spent before is forgotten, as after a restart today). At most `max_tracked` clients a minute are shared
(a flood of addresses beyond that is limited by each replica on its own). Replicas' clocks are assumed
synchronised within `margin` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import make_sessionmaker, read_only_session
from db.health import Backoff, keep_running
from db.rate_counts import Count, forget_before, others, publish
from verification.ratelimit import RateLimiter

log = logging.getLogger("esurat.shared_limits")
Key = tuple[str, str, int]  # scope, client, minute


class SharedLimits:
    def __init__(self, engine: AsyncEngine, replica: str, *, clock: Callable[[], float] = time.time,
                 interval: float = 1.0, margin: float = 5.0, max_tracked: int = 50_000,
                 max_publish: int = 5_000) -> None:
        """`replica`: this process instance (`db.claims.new_instance_id`); `clock`: epoch seconds."""
        self.engine, self.sessions = engine, make_sessionmaker(engine)
        self.replica, self.clock, self.interval, self.margin = replica, clock, interval, margin
        self.max_tracked, self.max_publish = max_tracked, max_publish
        self.limiters: dict[str, RateLimiter] = {}
        self._mine: dict[Key, float] = {}  # what this replica let through, per client and minute
        self._dirty: set[Key] = set()  # ... changed since it was last published
        self._seen: dict[tuple[str, str, int, str], float] = {}  # the others' counts as last read
        self._since: float | None = None  # when the last read began (None: not read yet)
        self._started = clock()  # what the others published before is not counted here
        self._forgot = -1  # the minute whose older counts were last deleted

    def limiter(self, scope: str, per_minute: int, burst: int | None = None) -> RateLimiter:
        """The limiter `scope` (at most 16 characters) of this replica, shared with the others' of that name."""
        if scope not in self.limiters:
            self.limiters[scope] = RateLimiter(per_minute, burst, clock=self.clock,
                                               on_spend=lambda client, cost: self._spent(scope, client, cost))
        return self.limiters[scope]

    def _spent(self, scope: str, client: str, cost: float) -> None:
        key = (scope, client, int(self.clock() // 60))
        if key in self._mine or len(self._mine) < self.max_tracked:
            self._mine[key] = self._mine.get(key, 0.0) + cost
            self._dirty.add(key)

    async def run_forever(self) -> None:
        """Sync every `interval` seconds until cancelled; through a database outage too (quietly: the limiters
        go on counting on their own), so the counts are shared again within `interval` once it is back."""

        async def step() -> bool:
            await self.sync()
            return False

        # Its own logger (two lines an outage, like every worker): an auxiliary beat, not one of the workers that
        # carry messages (and are woken by commits); it notices the database is back on its next beat.
        await keep_running(step, worker="rate limits", idle=self.interval, logger=log,
                           backoff=Backoff(first=self.interval, cap=self.interval))

    async def sync(self) -> None:
        """Publish this replica's changed counts, read the others' and take them from the buckets."""
        now = self.clock()
        minute = int(now // 60)
        changed = sorted(self._dirty, key=lambda k: self._mine.get(k, 0.0), reverse=True)[:self.max_publish]
        batch = [Count(*key, self.replica, self._mine[key]) for key in changed if key in self._mine]
        self._dirty.difference_update(changed)
        since = None if self._since is None else self._since - self.margin
        try:
            if batch or self._forgot != minute:
                async with self.sessions.begin() as session:
                    await publish(session, batch, now)
                    await forget_before(session, minute - 1)
                    read = await others(session, self.replica, since, minute - 1)
                self._forgot = minute
            else:
                async with read_only_session(self.engine) as session:
                    read = await others(session, self.replica, since, minute - 1)
        except BaseException:
            self._dirty.update(changed)  # published next time
            raise
        self._take(read)
        self._since = now
        self._mine = {k: v for k, v in self._mine.items() if k[2] >= minute - 1}
        self._dirty.intersection_update(self._mine)
        self._seen = {k: v for k, v in self._seen.items() if k[2] >= minute - 1}

    def _take(self, counts: list[Count]) -> None:
        """Take from the buckets what the other replicas let through since last read (since this one started)."""
        for count in counts:
            key = (count.scope, count.client, count.minute, count.replica)
            new = count.spent - self._seen.get(key, 0.0)
            if new <= 0:
                continue
            self._seen[key] = count.spent
            if count.at >= self._started and (limiter := self.limiters.get(count.scope)) is not None:
                limiter.debit(count.client, new)
