"""Rate limiting per client address on the verification endpoints, over HTTP (ASGI)."""

from __future__ import annotations

from pathlib import Path

from httpx import ASGITransport, AsyncClient

from tests.support.letters import make_kit
from tests.support.verification import build_app
from verification.ratelimit import RateLimiter
from verification.records import MemoryRecordSource


async def test_a_client_over_its_budget_gets_429_and_others_are_served(tmp_path: Path) -> None:
    clock = [0.0]
    limiter = RateLimiter(per_minute=5, clock=lambda: clock[0])
    app = build_app(make_kit(tmp_path), MemoryRecordSource(), limiter)
    unknown = "/v/AAAAAAAAAAAAAAAAAAAAAAAAAA"
    async with AsyncClient(transport=ASGITransport(app=app, client=("10.0.0.1", 1234)), base_url="http://t") as a, \
            AsyncClient(transport=ASGITransport(app=app, client=("10.0.0.2", 1234)), base_url="http://t") as b:
        codes = [(await a.get(unknown)).status_code for _ in range(7)]
        assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]
        limited = await a.get(unknown)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert (await b.get(unknown)).status_code == 404  # another address has its own budget
        clock[0] += 60  # a minute later the budget is back
        assert (await a.get(unknown)).status_code == 404


async def test_the_lookup_by_number_and_date_shares_the_clients_budget(tmp_path: Path) -> None:
    limiter = RateLimiter(per_minute=5, clock=lambda: 0.0)
    app = build_app(make_kit(tmp_path), MemoryRecordSource(), limiter)
    query = {"nomor": "400.12.2.2/001/BT/XI/2026", "tanggal": "2026-11-22"}
    async with AsyncClient(transport=ASGITransport(app=app, client=("10.0.0.1", 1234)), base_url="http://t") as a:
        codes = [(await a.get("/v", params=query)).status_code for _ in range(3)]
        codes += [(await a.get("/v/AAAAAAAAAAAAAAAAAAAAAAAAAA")).status_code for _ in range(3)]
        assert codes == [404] * 5 + [429]
