"""PostgreSQL made unreachable mid-run (new connections refused, then the open ones killed, through a
TCP proxy in front of it) while residents keep writing to the bot. The process stays up; webhooks
answer 503 and polling stops moving its offset; when the database is back every update sent
meanwhile is handled exactly once and in order; the outage costs a few log lines, no traceback.
(SQLite is embedded: it cannot be unreachable, so these run on PostgreSQL only.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from db.engine import make_engine, make_sessionmaker
from tests.dbfixtures import DatabaseFactory
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram_api import FakeTelegram
from tests.support.inbox import PUBLIC_URL, WEBHOOK, Webhook, handled, rows
from tests.support.service import RunningService
from tests.support.telegram import RESIDENT_ID, Resident, register, telegram_service

pytestmark = pytest.mark.postgres

OUTAGE = 12.0  # seconds without the database
RESIDENTS = [RESIDENT_ID + i for i in range(5)]
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
ASK_KECAMATAN = "Di kecamatan mana Anda tinggal?"


@dataclass
class Database:
    url: str  # the database through the proxy: what the service uses
    direct_url: str  # the same database without the proxy: what the test checks with
    proxy: TcpProxy


@pytest.fixture
async def database(db_factory: DatabaseFactory) -> AsyncIterator[Database]:
    if db_factory.backend != "postgres":
        pytest.skip("SQLite is embedded in the process: it cannot become unreachable")
    direct_url = await db_factory.fresh()
    target = make_url(direct_url)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        yield Database(proxy.url_for(direct_url), direct_url, proxy)


def outage_report(records: list[logging.LogRecord]) -> tuple[list[str], list[str]]:
    """(the outage logger's lines, every line logged with a traceback) among `records`."""
    lines = [r.getMessage() for r in records if r.name == "esurat.outage"]
    tracebacks = [f"{r.name}: {r.getMessage()}" for r in records if r.exc_info]
    return lines, tracebacks


def assert_quiet(records: list[logging.LogRecord], workers: set[str]) -> None:
    lines, tracebacks = outage_report(records)
    assert not tracebacks, tracebacks
    assert len(lines) < 10, lines  # one line when it starts, one when it ends, per worker: not one per attempt
    down = {line.split(":")[0] for line in lines if "database unreachable" in line}
    back = {line.split(":")[0] for line in lines if "database back" in line}
    assert workers <= down and down == back, lines


async def alive(service: RunningService) -> None:
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{service.base_url}/healthz")).status_code == 200
    assert service._task is not None and not service._task.done()  # noqa: SLF001 - the server task itself


async def test_polling_pauses_through_an_outage_and_loses_nothing(
    tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    proxy = database.proxy
    async with FakeTelegram(token="123456:TEST") as tg:
        service = telegram_service(tg, tmp_path / "data", database.url)
        services = await service.start()
        direct = make_engine(database.direct_url)
        try:
            await register(services)
            for uid in RESIDENTS:
                resident = Resident(tg, services, uid)
                await resident.text("/start")
                await resident.press("ya")
            before = {uid: len(tg.messages_to(uid)) for uid in RESIDENTS}
            mark, polls_before = len(caplog.records), len(tg.calls_of("getUpdates"))
            loop = asyncio.get_running_loop()
            started = loop.time()
            await proxy.refuse()
            assert proxy.kill() > 0  # the pool's connections die; new ones are refused
            sent = [tg.user_sends_text(uid, "bukit tunggal") for uid in RESIDENTS]
            halfway = False
            while loop.time() - started < OUTAGE:
                if not halfway and loop.time() - started > OUTAGE / 2:
                    sent += [tg.user_sends_text(uid, "/bantuan") for uid in RESIDENTS]
                    halfway = True
                await alive(service)
                assert not {u["update_id"] for u in sent} & tg.confirmed_update_ids  # not stored: not confirmed
                await asyncio.sleep(0.5)
            polls = len(tg.calls_of("getUpdates")) - polls_before
            await proxy.accept()
            found = await handled(services.sessions, sent, timeout=60)
            assert {r.status for r in found.values()} == {"done"}
            await tg.wait_until(lambda: {u["update_id"] for u in sent} <= tg.confirmed_update_ids, 10)
            assert len(await rows(make_sessionmaker(direct), [u["update_id"] for u in sent])) == len(sent)
            for uid in RESIDENTS:
                replies = tg.messages_to(uid)[before[uid]:]
                # the kelurahan's menu, then the help for the menu and the menu again: in order, none twice
                assert len(replies) == 3, [r[:70] for r in replies]
                assert "Bukit Tunggal" in replies[0] and replies[1].startswith("Pilih jenis surat")
                assert replies[2] == replies[0]
            assert_quiet(caplog.records[mark:], {"telegram polling", "telegram inbox", "telegram outbox"})
            print(f"outage {OUTAGE:.0f} s: {len(sent)} updates, {polls} getUpdates, "
                  f"{len(outage_report(caplog.records[mark:])[0])} outage lines")
        finally:
            await service.stop()
            await direct.dispose()


async def test_webhooks_answer_503_through_an_outage_and_every_update_is_handled_once_after(
    tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    proxy = database.proxy
    async with FakeTelegram(token="123456:TEST") as tg:
        service = telegram_service(tg, tmp_path / "data", database.url, public_url=PUBLIC_URL, **WEBHOOK)
        services = await service.start()
        hook = Webhook(service.base_url)
        try:
            await register(services)
            for uid in RESIDENTS:
                update = tg.user_sends_text(uid, "/start")
                assert await hook.deliver(update) == 1
                await handled(services.sessions, [update])
            before = {uid: len(tg.messages_to(uid)) for uid in RESIDENTS}
            mark = len(caplog.records)
            loop = asyncio.get_running_loop()
            started = loop.time()
            await proxy.refuse()
            assert proxy.kill() > 0
            # Each resident accepts the terms (a button) and names the kelurahan while the database is away;
            # Telegram keeps re-posting each update (in order) until the service takes it.
            sent: dict[int, list[dict[str, Any]]] = {}
            for uid in RESIDENTS:
                consent = next(m for m in reversed(tg.bot_messages(uid)) if m.get("reply_markup"))
                sent[uid] = [tg.user_presses(uid, uid, consent["message_id"], "c:ya"),
                             tg.user_sends_text(uid, "bukit tunggal")]
            # By the time they are handled the presses are too old to answer.
            tg.fail_next("answerCallbackQuery", status=400, retry_after=None, description=TOO_OLD,
                         times=len(RESIDENTS))

            async def telegram_delivers(updates: list[dict[str, Any]]) -> int:
                return sum([await hook.deliver(u, every=0.5, timeout=OUTAGE + 60) for u in updates])

            deliveries = [asyncio.create_task(telegram_delivers(updates)) for updates in sent.values()]
            while loop.time() - started < OUTAGE:
                await alive(service)
                assert not any(d.done() for d in deliveries)
                await asyncio.sleep(0.5)
            await proxy.accept()
            posts = sum(await asyncio.gather(*deliveries))
            everything = [u for updates in sent.values() for u in updates]
            found = await handled(services.sessions, everything, timeout=60)
            assert {(r.status, r.attempts) for r in found.values()} == {("done", 1)}
            assert posts > 2 * len(everything) and set(hook.statuses) == {200, 503}
            for uid in RESIDENTS:
                replies = tg.messages_to(uid)[before[uid]:]
                assert len(replies) == 2, [r[:70] for r in replies]  # in order, none lost, none twice
                assert replies[0].startswith(ASK_KECAMATAN) and "Bukit Tunggal" in replies[1]
            assert [c.status for c in tg.calls_of("answerCallbackQuery")] == [400] * len(RESIDENTS)
            assert_quiet(caplog.records[mark:], {"telegram webhook", "telegram inbox", "telegram outbox"})
            print(f"outage {OUTAGE:.0f} s: {len(everything)} updates, {hook.statuses.count(503)} answered 503, "
                  f"{len(outage_report(caplog.records[mark:])[0])} outage lines")
        finally:
            await service.stop()
