"""Crash safety: `esurat run` as a subprocess is SIGKILLed at random moments (mid-conversation, mid-send,
mid-approval, mid-issue) and restarted while residents and a staff member use it through the fake Bot API
(bench/crash_run.py does the run and the checks); and recovery within 15 seconds of a restart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import flows
from bench.crash_people import CrashResident, People
from bench.crash_run import RunConfig, crash_run, failures, register
from bench.crash_support import CrashFake, CrashObserver, Triggers
from db.models import Letter
from tests.support.flows import next_answer
from tests.support.replicas import TOKEN, ServiceConfig, ServiceProcess
from tests.support.telegram import GROUP, STAFF_ID, jpeg

RECOVERY_S = 15.0
TAKE_OVER_S = 5.0  # a restarted process resumes its predecessor's claims at once, not after their 10-s lease
RESIDENT = 6_100_001


async def test_twenty_kills_lose_and_double_nothing(tmp_path: Path, db_url: str) -> None:
    """Polling on SQLite, webhook on PostgreSQL (both modes on both databases in the slow test)."""
    mode = "polling" if db_url.startswith("sqlite") else "webhook"
    result = await crash_run(RunConfig(db_url, tmp_path, residents=6, kills=20, seed=21, spacing=(0.2, 0.8),
                                       deadline_s=180.0, lost_after=30.0, think=(0.1, 0.5), stagger=10.0,
                                       mode=mode, preload=True))
    print(f"\ncrash run ({mode}): {result['kills']} kills {result['kill_moments']} "
          f"({result['aimed_kills_missed']} aimed kills missed their moment), "
          f"{result['checks']['requests_once']['requests']} requests, figures {result['figures']}, "
          f"wall {result['wall_s']} s, restart {result['start_s_median']} s (median), "
          f"kill -> next resident message {result['kill_to_next_resident_message_s']}")
    assert result["kills"] >= 20
    assert not failures(result), failures(result)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_thirty_residents_twenty_five_kills(tmp_path: Path, db_url: str, mode: str) -> None:
    result = await crash_run(RunConfig(db_url, tmp_path, residents=30, kills=25, seed=22, deadline_s=600.0,
                                       think=(0.2, 1.5), stagger=60.0, mode=mode,
                                       preload=True))
    assert result["kills"] >= 25
    assert not failures(result), failures(result)


@dataclass
class Harness:
    tg: CrashFake
    service: ServiceProcess
    people: People

    async def state(self) -> flows.ConversationState:
        return (await self.people.observer.chat(RESIDENT))[1]


@pytest.fixture
async def harness(tmp_path: Path, db_url: str) -> AsyncIterator[Harness]:
    observer = CrashObserver(db_url)
    await register(observer)
    try:
        async with CrashFake(token=TOKEN) as tg:
            service = ServiceProcess(ServiceConfig(tmp_path / "data", db_url, tg.base_url, preload=True))
            await service.start()
            try:
                yield Harness(tg, service, People(tg, observer, flows.load_catalogue(), Triggers(), jpeg(),
                                                  lost_after=30.0))
            finally:
                await service.stop()
    finally:
        await observer.close()


def hold_once(tg: CrashFake, matches: Any) -> asyncio.Event:
    """The first call for which matches(method, params) is true is held at the fake (not performed) until
    the bot's connection is cut; the event is set when it arrives."""
    arrived = asyncio.Event()

    async def observer(method: str, params: dict[str, Any]) -> None:
        if not arrived.is_set() and matches(method, params):
            arrived.set()
            await asyncio.sleep(60)  # the kill closes the connection; aiohttp then cancels this call

    tg.call_observers.append(observer)
    return arrived


async def test_a_reply_claimed_by_a_killed_process_comes_soon_after_the_restart(harness: Harness) -> None:
    resident = CrashResident(harness.people, RESIDENT, dependants=0)
    while (state := await harness.state()).step.value != "fill":
        await resident.act(state)
    _, answer = next_answer(harness.people.catalogue, state, 0, 0)
    arrived = hold_once(harness.tg, lambda m, p: m == "sendMessage" and p.get("chat_id") == RESIDENT)
    before = harness.tg.sends(RESIDENT)
    harness.tg.user_sends_text(RESIDENT, answer)
    await asyncio.wait_for(arrived.wait(), 20)  # the reply was claimed and is being sent
    killed = time.monotonic()
    await harness.service.kill()
    await harness.service.start()
    ready = time.monotonic()
    got = await harness.tg.sends_reach(RESIDENT, before + 1, RECOVERY_S)
    took = time.monotonic() - ready
    print(f"\nkill -> reply {time.monotonic() - killed:.1f} s (restart {ready - killed:.1f} s)")
    assert got, f"the reply did not come within {RECOVERY_S} s of the restart"
    assert took < TAKE_OVER_S, f"the reply came {took:.1f} s after the restart: the claim was not taken over"
    assert harness.tg.sends(RESIDENT) == before + 1


async def test_an_approval_interrupted_by_a_kill_gets_its_letter_within_15_s(harness: Harness) -> None:
    tg, observer = harness.tg, harness.people.observer
    resident = CrashResident(harness.people, RESIDENT, dependants=0)
    while (request := await observer.request_of(RESIDENT)) is None:
        await resident.act(await harness.state())
    request_id = request[0]
    data = f"m:approve:{request_id}"
    card = await tg.wait_until(lambda: next((m for m in tg.group_cards(GROUP) if any(
        b.get("callback_data") == data for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row)), None), timeout=30, what="the request's card")
    # The approval is committed; kill before the letter is made and stored (the press's answer is held).
    hold_once(tg, lambda m, p: m == "answerCallbackQuery")
    tg.user_presses(STAFF_ID, GROUP, card["message_id"], data, first_name="Petugas")
    for _ in range(2000):
        status = (await observer.request_of(RESIDENT) or (0, ""))[1]
        if status != "submitted":
            break
        await asyncio.sleep(0.01)
    assert status == "approved", f"the kill came too late: the request is already {status}"
    killed = time.monotonic()
    await harness.service.kill()
    documents = len(tg.sent_documents(RESIDENT))
    await harness.service.start()
    ready = time.monotonic()
    letter = None
    while time.monotonic() - ready < RECOVERY_S and letter is None:
        async with observer.engine.connect() as conn:
            letter = await conn.scalar(select(Letter.id).where(Letter.request_id == request_id))
        await asyncio.sleep(0.1)
    assert letter is not None, f"no letter within {RECOVERY_S} s of the restart"
    remaining = RECOVERY_S - (time.monotonic() - ready)
    await tg.wait_until(lambda: len(tg.sent_documents(RESIDENT)) > documents, timeout=max(remaining, 0.1),
                        what="the letter reaching the resident")
    print(f"\nkill -> letter delivered {time.monotonic() - killed:.1f} s (restart {ready - killed:.1f} s)")
