"""The request limits are shared by the replicas (#16): two `SharedLimits` (two processes, each its own
engine) on one database give a client one budget between them once they have synced, and at most the
documented slack (what the other replica let through before a sync) when it spreads a burst over both.
On SQLite and PostgreSQL, with a fake clock: no test sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.models import RateCount
from verification.shared_limits import SharedLimits

N = 10  # a client's requests a minute (and its burst)
CLIENT = "203.0.113.5"


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_338_000.0  # a whole minute

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def replicas(db_url: str, clock: Clock) -> AsyncIterator[tuple[SharedLimits, SharedLimits]]:
    one, two = make_engine(db_url), make_engine(db_url)
    a, b = SharedLimits(one, "replica-a", clock=clock), SharedLimits(two, "replica-b", clock=clock)
    try:
        for limits in (a, b):
            limits.limiter("verify", N)
            await limits.sync()
        yield a, b
    finally:
        await one.dispose()
        await two.dispose()


async def sync(*replicas: SharedLimits) -> None:
    for limits in replicas:
        await limits.sync()


def allowed(limits: SharedLimits, times: int, client: str = CLIENT, scope: str = "verify") -> int:
    return sum(limits.limiters[scope].allow(client) for _ in range(times))


async def test_synced_replicas_give_a_client_one_budget(replicas: tuple[SharedLimits, SharedLimits]) -> None:
    a, b = replicas
    assert allowed(a, 6) == 6
    await sync(a, b)  # a publishes, b reads
    assert allowed(b, 10) == 4  # the client's 10 a minute, across both
    await sync(b, a)
    assert allowed(a, 5) == 0 and allowed(b, 5) == 0
    assert allowed(b, 3, client="198.51.100.9") == 3  # another client has its own budget


async def test_a_client_alternating_between_replicas_gets_its_limit(
        replicas: tuple[SharedLimits, SharedLimits], clock: Clock) -> None:
    a, b = replicas
    got = 0
    for n in range(30):  # a request, then both replicas sync (about a second later)
        got += allowed(a if n % 2 else b, 1)
        clock.now += 0.01
        await sync(a, b)
    assert got == N


async def test_a_burst_spread_before_a_sync_is_the_documented_slack_then_paid_back(
        replicas: tuple[SharedLimits, SharedLimits], clock: Clock) -> None:
    a, b = replicas
    got = allowed(a, 20) + allowed(b, 20)  # at once on both: neither knows of the other yet
    assert got == 2 * N  # the limit + (replicas - 1) x burst, the most over it a client can get
    await sync(a, b, a)
    clock.now += 60  # a minute's refill (N) pays the debt back; nothing more yet
    assert allowed(a, 5) + allowed(b, 5) == 0
    clock.now += 60
    await sync(a, b)
    got += allowed(a, 20)
    await sync(a, b)
    got += allowed(b, 20)
    assert got == N + 2 * N  # over the two minutes the burst and two minutes' rate: the slack was paid back


async def test_a_new_replica_does_not_count_what_was_spent_before_it_started(
        replicas: tuple[SharedLimits, SharedLimits], db_url: str, clock: Clock) -> None:
    a, _ = replicas
    assert allowed(a, N) == N
    await a.sync()
    clock.now += 6  # a second later (a's bucket: one token again)
    engine = make_engine(db_url)
    try:
        late = SharedLimits(engine, "replica-c", clock=clock)
        late.limiter("verify", N)
        await late.sync()
        assert allowed(late, 3) == 3  # like a restart: it counts what the others spend from now on
        assert allowed(a, 1) == 1
        await sync(a, late)
        assert allowed(late, N) == N - 3 - 1
    finally:
        await engine.dispose()


async def test_scopes_are_separate_and_old_minutes_are_forgotten(
        replicas: tuple[SharedLimits, SharedLimits], clock: Clock) -> None:
    a, b = replicas
    for limits in (a, b):
        limits.limiter("desk-login", 3)
    assert allowed(a, 3, scope="desk-login") == 3
    await sync(a, b)
    assert allowed(b, 1, scope="desk-login") == 0 and allowed(b, N) == N
    clock.now += 180
    await sync(a, b)
    async with a.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(RateCount)) == 0
    assert not a._mine and not b._seen  # and in memory
