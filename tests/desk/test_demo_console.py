"""/demo's staff pane frames the real desk console, logged in as the kelurahan's seeded demo staff member
(`/desk/demo/masuk`), with no account to set up; under `esurat run` (no demo mode) none of it exists, and a
demo staff member has no way in, not even with a password set on them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.channels import Channel
from bot.composition import Services, build_services
from bot.desk.accounts import create_account
from bot.desk.channel import DeskChannel
from bot.web import create_app
from bot.webchat.channel import WebChatChannel
from bot.webchat.seed import DEMO_LURAH_NAME, DEMO_STAFF_NAME, LURAH, seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from db.models import Kelurahan, Staff
from tests.desk.conftest import CHEAP, CSRF_RE, PASSWORD, Desk, csrf_of, login
from tests.support.lifecycle import FixedClock
from tests.support.webchat import Resident, sktm_script

ENTRY = "/desk/demo/masuk?kelurahan=bukit-tunggal"
FRAME = f'<iframe id="desk-frame" title="Meja petugas (demo)" src="{ENTRY}">'
REQUEST_LINK = re.compile(r'href="/desk/permohonan/(\d+)"')


def _webchat(services: Services) -> Channel | None:
    return WebChatChannel(services) if services.settings.demo else None


@pytest.fixture
def console_factory(db_url: str, tmp_path: Path) -> Callable[..., AsyncIterator[Desk]]:
    """The service with the web chat (in demo mode) and the desk, over ASGI; the demo staff seeded (the real
    clock: the SKTM script's dates are relative to today; `Desk.clock` is then only for new accounts)."""
    async def make(demo: bool) -> AsyncIterator[Desk]:
        clock = FixedClock()
        settings = Settings(_env_file=None, http=HttpSettings(public_url="http://testserver"),
                            storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url), demo=demo)
        services = build_services(settings, channels=[_webchat, lambda s: DeskChannel(s, hasher=CHEAP)])
        await seed_demo_staff(services.sessions)
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Desk(services, clock, transport, client)
        await services.aclose()
    return make


async def test_the_demo_staff_pane_is_the_console_logged_in_as_the_demo_staff(
        console_factory: Callable[..., AsyncIterator[Desk]]) -> None:
    async for demo in console_factory(demo=True):
        page = await demo.client.get("/demo")
        assert page.status_code == 200 and FRAME in page.text and "Meja petugas" in page.text
        resident = Resident(demo.client)
        await resident.run(sktm_script())
        assert "telah diterima" in resident.last["text"], resident.transcript()

        entry = await demo.client.get(ENTRY)
        assert entry.status_code == 303 and entry.headers["location"] == "/desk/"
        home = await demo.client.get("/desk/")
        assert home.status_code == 200 and DEMO_STAFF_NAME in home.text and "Bukit Tunggal" in home.text
        assert "frame-ancestors 'self'" in home.headers["content-security-policy"]  # framed by /demo only
        found = REQUEST_LINK.search(home.text)
        assert found, home.text
        detail = await demo.client.get(f"/desk/permohonan/{found.group(1)}")
        token = CSRF_RE.search(detail.text)
        assert detail.status_code == 200 and token
        done = await demo.client.post(f"/desk/permohonan/{found.group(1)}/keputusan",
                                      data={"csrf": token.group(1), "action": "approve"})
        assert done.status_code == 200 and "Keputusan tersimpan." in done.text
        await demo.services.follow_ups.run_once()
        await resident.poll()
        assert any(m.get("type") == "document" or "telah terbit" in (m.get("text") or m.get("caption") or "")
                   for m in resident.messages[-3:]), resident.transcript()

        lurah = await demo.client.get(ENTRY + f"&peran={LURAH}")
        assert lurah.status_code == 303
        assert DEMO_LURAH_NAME in (await demo.client.get("/desk/")).text
        token_pre = await csrf_of(demo.client, "/desk/demo")
        assert DEMO_LURAH_NAME in (await demo.client.get("/desk/demo")).text  # offered at /desk/demo too
        chosen = await demo.client.post("/desk/demo", data={"csrf": token_pre, "kelurahan": "menteng",
                                                            "peran": LURAH})
        assert chosen.status_code == 303
        menteng = (await demo.client.get("/desk/")).text
        assert DEMO_LURAH_NAME in menteng and "Menteng" in menteng
        for bad in ("/desk/demo/masuk?kelurahan=tidak-ada", ENTRY + "&peran=sekretaris", ENTRY + "&peran=admin"):
            assert (await demo.client.get(bad)).status_code == 404, bad


async def test_without_demo_mode_there_is_no_way_in_without_a_password(
        console_factory: Callable[..., AsyncIterator[Desk]]) -> None:
    cookie = ""
    async for demo in console_factory(demo=True):
        assert (await demo.client.get(ENTRY)).status_code == 303
        cookie = demo.client.cookies["esurat_desk"]
    async for run in console_factory(demo=False):  # `esurat run` on the same database
        assert (await run.client.get("/demo")).status_code == 404
        assert (await run.client.get(ENTRY)).status_code == 404
        assert (await run.client.get("/desk/demo")).status_code == 404
        assert (await run.client.post("/desk/demo", data={"kelurahan": "bukit-tunggal"})).status_code == 404
        page = await run.client.get("/desk/masuk")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        run.client.cookies.set("esurat_desk", cookie, path="/desk")
        assert (await run.client.get("/desk/")).status_code == 303  # the demo session does not count
        run.client.cookies.clear()
        async with run.services.sessions() as s:  # a password set on the demo Lurah (e.g. by mistake)
            lurah = await s.scalar(select(Staff).join(Kelurahan, Kelurahan.id == Staff.kelurahan_id).where(
                Kelurahan.slug == "bukit-tunggal", Staff.demo.is_(True), Staff.role == LURAH))
        assert lurah is not None
        link = await create_account(run.services.sessions, "lurah-demo", lurah.id, run.services.clock())
        channel = run.services.channels["desk"]
        assert isinstance(channel, DeskChannel)
        assert await channel.passwords.use_setup(link.token, PASSWORD) is not None
        assert (await login(run.client, "lurah-demo")).status_code == 401
        assert (await run.client.get("/desk/")).status_code == 303
