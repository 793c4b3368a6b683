"""Per-address limit on login and set-up posts: over its allowance a client address gets a 429 page (even with
the right password) while another address still logs in; the allowance comes back with time."""

from __future__ import annotations

import httpx

from bot.desk.channel import DeskChannel
from bot.desk.ip_limit import LoginThrottle
from tests.desk.conftest import PASSWORD, Desk, csrf_of, login


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_too_many_attempts_from_one_address_get_a_429(desk: Desk) -> None:
    await desk.staff()
    ticks = Ticks()
    channel = desk.services.channels["desk"]
    assert isinstance(channel, DeskChannel)
    channel.throttle = LoginThrottle(per_minute=6, burst=3, clock=ticks)
    for _ in range(3):
        assert (await login(desk.client, "nobody", "salah-salah-salah")).status_code == 401
    refused = await login(desk.client, "rina")
    assert refused.status_code == 429 and "Terlalu banyak percobaan" in refused.text
    assert int(refused.headers["retry-after"]) >= 1
    token = await csrf_of(desk.client, "/desk/masuk")
    setup = await desk.client.post("/desk/atur-sandi", data={"csrf": token, "token": "x" * 43, "new": PASSWORD,
                                                              "again": PASSWORD})
    assert setup.status_code == 429
    other = httpx.ASGITransport(app=desk.transport.app, client=("203.0.113.9", 1234))
    async with httpx.AsyncClient(transport=other, base_url="http://127.0.0.1") as elsewhere:
        assert (await login(elsewhere, "rina")).status_code == 303
    ticks.now += 10.0  # one attempt back per 10 seconds
    assert (await login(desk.client, "rina")).status_code == 303
