"""The service with the desk channel in-process over ASGI (SQLite and PostgreSQL), a clock the test moves,
cheap argon2 parameters, and helpers: a staff member with an account, logging in, the forms' CSRF token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from bot.composition import Services, build_services
from bot.desk.accounts import create_account
from bot.desk.channel import DeskChannel
from bot.web import create_app
from config.settings import BsreSettings, HttpSettings, Settings, StorageSettings
from db.directory import add_staff
from db.models import Staff
from tests.support.lifecycle import FixedClock

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "sandi-yang-panjang-1"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Desk:
    services: Services
    clock: FixedClock
    transport: httpx.ASGITransport
    client: httpx.AsyncClient

    def other_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url="http://127.0.0.1")

    def tick(self, **delta: float) -> None:
        self.clock.now += timedelta(**delta)

    async def staff(self, slug: str = "bukit-tunggal", name: str = "Rina", login: str = "rina",
                    role: str = "operator") -> tuple[Staff, str]:
        """A staff member of `slug` with a desk account whose password is PASSWORD; the set-up token is used."""
        staff = await add_staff(self.services.sessions, slug, name=name, role=role)
        link = await create_account(self.services.sessions, login, staff.id, self.clock())
        channel = self.services.channels["desk"]
        assert isinstance(channel, DeskChannel)
        assert await channel.passwords.use_setup(link.token, PASSWORD) is not None
        return staff, login

    async def admin(self, login: str = "kota") -> str:
        """The city's admin account (no staff member), password PASSWORD."""
        link = await create_account(self.services.sessions, login, None, self.clock())
        channel = self.services.channels["desk"]
        assert isinstance(channel, DeskChannel)
        assert await channel.passwords.use_setup(link.token, PASSWORD) is not None
        return login


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_RE.search(page.text)
    assert found, page.text
    return found.group(1)


async def login(client: httpx.AsyncClient, user: str, password: str = PASSWORD) -> httpx.Response:
    token = await csrf_of(client, "/desk/masuk")
    return await client.post("/desk/masuk", data={"csrf": token, "login": user, "password": password})


def make_desk(db_url: str, tmp_path: Path, *, demo: bool = False, public_url: str = "http://testserver",
              bsre: BsreSettings | None = None) -> tuple[Services, FixedClock]:
    clock = FixedClock()
    settings = Settings(_env_file=None, http=HttpSettings(public_url=public_url),
                        storage=StorageSettings(data_dir=tmp_path / "data", database_url=db_url), demo=demo,
                        bsre=bsre or BsreSettings(_env_file=None))
    services = build_services(settings, clock=clock, channels=[lambda s: DeskChannel(s, hasher=CHEAP)])
    return services, clock


@pytest.fixture
def desk_factory(db_url: str, tmp_path: Path) -> Callable[..., AsyncIterator[Desk]]:
    async def make(**kwargs: object) -> AsyncIterator[Desk]:
        services, clock = make_desk(db_url, tmp_path, **kwargs)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Desk(services, clock, transport, client)
        await services.aclose()
    return make


@pytest.fixture
async def desk(desk_factory: Callable[..., AsyncIterator[Desk]]) -> AsyncIterator[Desk]:
    async for d in desk_factory():
        yield d
