"""The service on a loopback port for the desk's browser walk-through: demo mode (residents use the web chat
at /demo), on a fresh database of either backend, with a NON-demo staff member of Bukit Tunggal who has a
desk account not yet set up (the one-time set-up link is walked in the browser). Also the resident's side
over the web-chat JSON API, run outside the event loop Playwright's sync API keeps in the test's thread."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import build_services
from bot.desk.accounts import create_account
from bot.desk.channel import DeskChannel
from bot.web import create_app
from bot.webchat.seed import seed_demo
from config.settings import HttpSettings, Settings, StorageSettings
from db.directory import add_staff
from db.engine import run_with_sessions
from lifecycle.service import utcnow
from tests.dbfixtures import DatabaseFactory
from tests.support.service import free_port
from tests.support.webchat import Resident, served, sktm_script

KELURAHAN = "bukit-tunggal"  # where `sktm_script` files its request
STAFF_NAME = "Rina Wulandari"
LOGIN = "rina"
SUBMITTED = re.compile(r"nomor permohonan (\S+) telah diterima")
T = TypeVar("T")
Message = dict[str, Any]


@dataclass(frozen=True)
class DeskLive:
    base_url: str
    settings: Settings
    login: str
    setup_path: str  # /desk/atur-sandi?token=...


async def _staff_account(sessions: async_sessionmaker[AsyncSession]) -> str:
    staff = await add_staff(sessions, KELURAHAN, name=STAFF_NAME, role="operator")
    assert not staff.demo
    link = await create_account(sessions, LOGIN, staff.id, utcnow())
    return link.url("")


@pytest.fixture
def desk_live(db_factory: DatabaseFactory, tmp_path: Path) -> Iterator[DeskLive]:
    url = asyncio.run(db_factory.fresh())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(_env_file=None, http=HttpSettings(public_url=base, port=port),
                        storage=StorageSettings(data_dir=tmp_path / "data", database_url=url), demo=True)
    settings.storage.ensure_dirs()
    seed_demo(settings)
    setup_path = run_with_sessions(url, _staff_account)
    services = build_services(settings)  # every channel as `esurat demo` has them (argon2's own parameters)
    assert isinstance(services.channels["desk"], DeskChannel)
    with served(create_app(services), port):
        yield DeskLive(base, settings, LOGIN, setup_path)


def in_thread(coro_fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a coroutine outside the loop Playwright's sync API keeps running in this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn(*args))).result()


@dataclass(frozen=True)
class Filed:
    """A resident's web-chat session (its cookies) and the code of the request it filed."""

    cookies: httpx.Cookies
    code: str


async def _file_sktm(base: str) -> Filed:
    async with httpx.AsyncClient(base_url=base) as client:
        resident = Resident(client)
        await resident.open()
        await resident.run(sktm_script())
        found = SUBMITTED.search(resident.last.get("text", ""))
        assert found, resident.transcript()
        return Filed(client.cookies, found.group(1))


def file_sktm(base: str) -> Filed:
    """A resident files an SKTM with its attachments through the web chat's API."""
    return in_thread(_file_sktm, base)


async def _message_where(base: str, cookies: httpx.Cookies, wanted: Callable[[Message], bool],
                         within: float) -> Message:
    async with httpx.AsyncClient(base_url=base, cookies=cookies) as client:
        resident = Resident(client)
        try:
            async with asyncio.timeout(within):
                while True:
                    await resident.poll()
                    found = next((m for m in resident.messages if wanted(m)), None)
                    if found is not None:
                        return found
                    await asyncio.sleep(0.2)
        except TimeoutError:
            raise AssertionError(f"the resident got no such message:\n{resident.transcript()}") from None


def resident_message(base: str, filed: Filed, wanted: Callable[[Message], bool], within: float = 20) -> Message:
    """The first message of the resident's chat that is `wanted`, polled for up to `within` seconds."""
    return in_thread(_message_where, base, filed.cookies, wanted, within)
