"""Only the configured host names are served (demo: loopback names only, which closes DNS rebinding into the
staff pane), and X-Forwarded-For counts only from the configured proxies, so rotating it does not escape
the /v/ rate limit; uvicorn itself believes no proxy header."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bot.composition import Services, build_services
from bot.server import uvicorn_config
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings
from tests.dbfixtures import DatabaseFactory
from tests.hostile.strategies import assert_indonesian
from tests.support.service import free_port

UNKNOWN = "/v/AAAAAAAAAAAAAAAAAAAAAAAAAA"  # a well-formed id of no letter: 404 until the limit, then 429
SLUG = "bukit-tunggal"
APPS: dict[int, FastAPI] = {}


@pytest.fixture(scope="module")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> DatabaseFactory:
    """(Host names and proxies are the same on both databases: SQLite only.)"""
    factory = DatabaseFactory("sqlite", tmp_path_factory.mktemp("hosts-db"))
    factory.template()  # migrate once, outside any event loop
    return factory


@contextlib.asynccontextmanager
async def service(factory: DatabaseFactory, tmp: Path, **settings: Any) -> AsyncIterator[Services]:
    http = settings.pop("http", {})
    services = build_services(Settings(
        _env_file=None, http=HttpSettings(_env_file=None, **http),
        storage=StorageSettings(data_dir=tmp / "data", database_url=await factory.fresh()), **settings))
    try:
        yield services
    finally:
        APPS.pop(id(services), None)
        await services.aclose()


def client(services: Services, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client at `peer` of the service's app (one app per service, so one rate limiter)."""
    app = APPS.setdefault(id(services), create_app(services))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 40000)), base_url="http://127.0.0.1")


async def test_the_demo_answers_to_loopback_names_only(sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    async with service(sqlite_factory, tmp_path, demo=True, http={"public_url": "http://esurat.example"}) as s, \
            client(s) as c:
        for host in ("127.0.0.1", "127.0.0.1:8000", "localhost", "LOCALHOST:8000", "localhost.", "[::1]:8000"):
            assert (await c.get("/demo", headers={"Host": host})).status_code == 200, host
        # A page on another name resolving to the demo (DNS rebinding) reads and acts as same-origin: refused.
        for host in ("rebind.evil.example", "rebind.evil.example:8000", "esurat.example", "127.0.0.1.evil.example",
                     "", "[::1", "localhost:8000:1", "127.0.0.2"):
            cards = await c.get(f"/demo/api/staff/{SLUG}/cards", headers={"Host": host})
            act = await c.post(f"/demo/api/staff/{SLUG}/act", json={"request_id": 1, "action": "approve"},
                               headers={"Host": host, "Origin": f"http://{host}"})
            assert cards.status_code == act.status_code == 400, host
            assert_indonesian(cards.json()["error"])
            assert "NIK" not in cards.text and "cards" not in cards.json()


async def test_a_service_answers_to_its_public_name_the_allowed_ones_and_loopback(
        sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    http = {"public_url": "https://esurat.palangkaraya.go.id", "allowed_hosts": "www.esurat.example, ALIAS.example."}
    async with service(sqlite_factory, tmp_path, http=http) as s, client(s) as c:
        for host in ("esurat.palangkaraya.go.id", "ESURAT.palangkaraya.go.id:443", "www.esurat.example",
                     "alias.example", "127.0.0.1:8000", "localhost"):
            assert (await c.get("/healthz", headers={"Host": host})).status_code == 200, host
        for host in ("evil.example", "palangkaraya.go.id", "esurat.palangkaraya.go.id.evil.example"):
            r = await c.get("/healthz", headers={"Host": host})
            assert r.status_code == 400 and "host" in r.json()["error"], host


async def limited_after(c: httpx.AsyncClient, forwarded: Iterator[str], budget: int) -> list[int]:
    return [(await c.get(UNKNOWN, headers={"X-Forwarded-For": next(forwarded)})).status_code
            for _ in range(budget + 2)]


def addresses() -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"203.0.{n // 250}.{n % 250 + 1}"


async def test_x_forwarded_for_from_an_untrusted_client_does_not_escape_the_limit(
        sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    async with service(sqlite_factory, tmp_path, verify_rate_limit_per_minute=5) as s:
        async with client(s, peer="198.51.100.7") as c:
            assert await limited_after(c, addresses(), 5) == [404] * 5 + [429, 429]
        async with client(s, peer="127.0.0.1") as c:  # loopback is no proxy either, unless configured
            assert await limited_after(c, addresses(), 5) == [404] * 5 + [429, 429]


async def test_x_forwarded_for_counts_from_a_trusted_proxy(sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    http = {"trusted_proxies": "10.0.0.0/8"}
    async with service(sqlite_factory, tmp_path, verify_rate_limit_per_minute=5, http=http) as s:
        async with client(s, peer="10.1.2.3") as proxy:  # each forwarded client has its own budget
            assert await limited_after(proxy, addresses(), 5) == [404] * 7
            same = iter(["192.0.2.10"] * 10)
            assert await limited_after(proxy, same, 5) == [404] * 5 + [429, 429]
            # The proxy appends the address it saw; what the client wrote before it is not believed.
            spoofed = (f"{a}, 192.0.2.11" for a in addresses())
            assert await limited_after(proxy, spoofed, 5) == [404] * 5 + [429, 429]
        async with client(s, peer="198.51.100.8") as direct:  # not a proxy: its header is ignored
            assert await limited_after(direct, addresses(), 5) == [404] * 5 + [429, 429]


async def test_ipv6_clients_are_limited_by_their_64_network(sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    async with service(sqlite_factory, tmp_path, verify_rate_limit_per_minute=5) as s:
        codes = []
        for n in range(7):
            async with client(s, peer=f"2001:db8:1:2::{n + 1:x}") as c:
                codes.append((await c.get(UNKNOWN)).status_code)
        assert codes == [404] * 5 + [429, 429]
        async with client(s, peer="2001:db8:1:3::1") as other:
            assert (await other.get(UNKNOWN)).status_code == 404


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # signals stay with pytest
        yield


async def test_uvicorn_as_started_by_esurat_believes_no_proxy_header(
        sqlite_factory: DatabaseFactory, tmp_path: Path) -> None:
    port = free_port()
    async with service(sqlite_factory, tmp_path, verify_rate_limit_per_minute=5,
                       http={"port": port, "public_url": f"http://127.0.0.1:{port}"}) as s:
        config = uvicorn_config(create_app(s), s.settings)
        assert config.proxy_headers is False
        config.log_level = "warning"
        server = _Server(config)
        task = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(20):
                while not server.started:
                    if task.done():
                        await task
                    await asyncio.sleep(0.01)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
                assert await limited_after(c, addresses(), 5) == [404] * 5 + [429, 429]
                r = await c.get("/healthz", headers={"Host": "rebind.evil.example"})
                assert r.status_code == 400
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 20)
