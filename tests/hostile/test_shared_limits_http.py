"""Two replicas (two apps over one database) share a client's /v/ budget, and the client is the address the
proxy guard settled: X-Forwarded-For counts from a trusted proxy and changes nothing from anyone else, on
either replica (#16). Both databases; a fake clock; the replicas sync when the test says."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings
from verification.shared_limits import SharedLimits

UNKNOWN = "/v/AAAAAAAAAAAAAAAAAAAAAAAAAA"  # a well-formed id of no letter: 404 until the limit, then 429
LIMIT = 5
PROXY, STRANGER = "10.1.2.3", "198.51.100.7"


@contextlib.asynccontextmanager
async def replicas(db_url: str, tmp: Path) -> AsyncIterator[tuple[Services, Services]]:
    settings = Settings(_env_file=None, http=HttpSettings(_env_file=None, trusted_proxies="10.0.0.0/8"),
                        storage=StorageSettings(data_dir=tmp / "data", database_url=db_url),
                        verify_rate_limit_per_minute=LIMIT)
    made = [build_services(settings) for _ in range(2)]
    for n, services in enumerate(made):  # still: no refill while the test runs
        services.limits = SharedLimits(services.engine, f"replica-{n}", clock=lambda: 1_795_338_000.0)
    try:
        yield made[0], made[1]
    finally:
        for services in made:
            await services.aclose()


def client(app: object, peer: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 40000)),  # type: ignore[arg-type]
                             base_url="http://127.0.0.1")


async def codes(c: httpx.AsyncClient, n: int, forwarded: str | None = None) -> list[int]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return [(await c.get(UNKNOWN, headers=headers)).status_code for _ in range(n)]


async def sync(one: Services, two: Services) -> None:
    await one.limits.sync()
    await two.limits.sync()


async def test_replicas_share_the_budget_of_the_address_the_proxy_guard_settled(db_url: str, tmp_path: Path) -> None:
    async with replicas(db_url, tmp_path) as (one, two):
        app_one, app_two = create_app(one), create_app(two)
        async with client(app_one, PROXY) as proxy_one, client(app_two, PROXY) as proxy_two, \
                client(app_one, STRANGER) as stranger_one, client(app_two, STRANGER) as stranger_two:
            # A client behind the trusted proxy: its forwarded address is its bucket, on both replicas.
            assert await codes(proxy_one, 3, "192.0.2.10") == [404] * 3
            await sync(one, two)
            assert await codes(proxy_two, 3, "192.0.2.10") == [404, 404, 429]
            assert await codes(proxy_two, 1, "192.0.2.11") == [404]  # another forwarded client: its own
            # A stranger's X-Forwarded-For is not believed: every address it names is charged to the stranger.
            assert await codes(stranger_one, 3, "192.0.2.20") == [404] * 3
            await sync(one, two)
            assert await codes(stranger_two, 3, "192.0.2.21") == [404, 404, 429]
            # ... and spends nothing of the client it names: 192.0.2.20 has its whole budget behind the proxy,
            assert await codes(proxy_two, LIMIT + 1, "192.0.2.20") == [404] * LIMIT + [429]
            # nor does it give back what 192.0.2.10 spent (and the stranger stays limited on both replicas).
            await sync(two, one)
            assert await codes(stranger_one, 1, "192.0.2.10") == [429]
            assert await codes(proxy_one, 1, "192.0.2.10") == [429]
