"""One crash run: residents and a staff member on the fake Bot API (this process) while `esurat run`
(a subprocess) is SIGKILLed and restarted `kills` times; then every check of bench/crash_checks.py.
Optionally with platform faults (tests/fakes/telegram_faults.FaultPlan) at the same time."""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flows
from bench import crash_checks
from bench.crash_people import CrashResident, CrashStaff, People
from bench.crash_support import CrashFake, CrashObserver, Killer, Triggers, WebhookPusher
from db.engine import make_sessionmaker
from db.migrate import upgrade
from tests.fakes.telegram_faults import FaultPlan
from tests.support.replicas import TOKEN, ServiceConfig, ServiceProcess
from tests.support.telegram import GROUP, STAFF_ID, jpeg, register_in

DRAIN_TIMEOUT = 90.0
RAW_CODES = re.compile(r"\b(approve|reject|revise|submitted|approved|issued|rejected|needs_revision|cancelled)\b")


@dataclass
class RunConfig:
    database_url: str
    work_dir: Path
    residents: int = 8
    kills: int = 20
    seed: int = 1
    spacing: tuple[float, float] = (0.5, 2.0)
    deadline_s: float = 240.0  # the residents stop trying after this
    faults: FaultPlan | None = None
    first_resident: int = 6_000_001
    request_timeout: float = 3.0
    lost_after: float = 45.0  # seconds without a reply before a person counts an update unanswered and asks again
    think: tuple[float, float] = (0.0, 0.0)  # a resident's pause before each answer (seconds, random)
    stagger: float = 0.0  # residents start at random moments within this many seconds
    mode: str = "polling"  # or "webhook"
    preload: bool = False  # start the service by forking a preloaded `esurat run` (ServiceConfig.preload)


async def register(observer: CrashObserver) -> None:
    await register_in(make_sessionmaker(observer.engine))


async def _drain(tg: CrashFake, observer: CrashObserver) -> float:
    """Seconds until no update waits to be confirmed and no outbox row is pending (or DRAIN_TIMEOUT)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < DRAIN_TIMEOUT:
        if not tg.pending_updates and not await observer.pending():
            return time.monotonic() - t0
        await asyncio.sleep(0.2)
    return time.monotonic() - t0


async def _stale_press(tg: CrashFake, reqs: list[tuple[int, int, str, str, str | None]]) -> crash_checks.Check:
    """A staff member presses "Setujui" on the card of a request decided long ago: a clear answer, not silence."""
    done = [(rid, code) for _, rid, code, status, _ in reqs if status in ("issued", "rejected")]
    cards = {m["text"].split("\n", 1)[0].removeprefix("Permohonan ").strip(): m for m in tg.group_cards(GROUP)}
    done = [(rid, code) for rid, code in done if code in cards]
    if not done:
        return {"ok": False, "reason": "no decided request with a card to press"}
    rid, code = done[0]
    update = tg.user_presses(STAFF_ID, GROUP, cards[code]["message_id"], f"m:approve:{rid}", first_name="Petugas")
    query = update["callback_query"]["id"]
    try:
        await tg.wait_until(lambda: tg.callback_answer(query) is not None, timeout=15, what="stale press answer")
    except AssertionError:
        return {"ok": False, "request": code, "answer": None}
    text = (tg.callback_answer(query) or {}).get("text") or ""
    raw = RAW_CODES.findall(text)  # internal action/status codes are not a clear answer for staff
    return {"ok": bool(text.strip()) and not raw, "request": code, "answer": text, "internal_codes_shown": raw}


def _recovery(tg: CrashFake, kill_times: list[float]) -> dict[str, Any]:
    """Seconds from each kill to the next message that reached a resident (only kills after which one did)."""
    sends = sorted(c.at for c in tg.calls if c.ok and c.method in ("sendMessage", "sendDocument")
                   and isinstance(c.params.get("chat_id"), int) and c.params["chat_id"] > 0)
    gaps = [next(t for t in sends if t > k) - k for k in kill_times if any(t > k for t in sends)]
    return {"n": len(gaps), "median_s": round(statistics.median(gaps), 2) if gaps else None,
            "max_s": round(max(gaps), 2) if gaps else None}


async def crash_run(cfg: RunConfig) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, cfg.database_url)
    observer = CrashObserver(cfg.database_url)
    rng = random.Random(cfg.seed)
    residents = [cfg.first_resident + i for i in range(cfg.residents)]
    try:
        await register(observer)
        async with CrashFake(token=TOKEN) as tg:
            triggers = Triggers()
            tg.call_observers.append(triggers.observe)
            service = ServiceProcess(ServiceConfig(cfg.work_dir / "data", cfg.database_url, tg.base_url,
                                                   request_timeout=cfg.request_timeout, mode=cfg.mode,
                                                   preload=cfg.preload))
            tasks: list[asyncio.Task[None]] = []
            try:
                await service.start()
                pusher_stop = asyncio.Event()
                pusher = WebhookPusher(tg, service.webhook_url)
                pushing = asyncio.create_task(pusher.run(pusher_stop)) if cfg.mode == "webhook" else None
                tasks += [pushing] if pushing is not None else []
                if cfg.faults is not None:
                    tg.set_faults(cfg.faults)
                people = People(tg, observer, flows.load_catalogue(), triggers, jpeg(), lost_after=cfg.lost_after,
                                think=cfg.think)
                staff_stop = asyncio.Event()
                staff = asyncio.create_task(CrashStaff(people, random.Random(cfg.seed + 1)).run(staff_stop))
                tasks.append(staff)
                killer = Killer(service, triggers, random.Random(cfg.seed + 2), cfg.kills, cfg.spacing)
                killing = asyncio.create_task(killer.run(until=time.monotonic() + cfg.deadline_s + 60.0))
                tasks.append(killing)
                t0 = time.monotonic()
                crowd = [CrashResident(people, u, dependants=i % 2, start_after=rng.uniform(0, cfg.stagger),
                                       rng=random.Random(cfg.seed * 1000 + i)) for i, u in enumerate(residents)]
                errors: list[str] = []
                try:
                    everyone = asyncio.gather(*(r.run() for r in crowd), return_exceptions=True)
                    outcomes = await asyncio.wait_for(everyone, cfg.deadline_s)
                    errors = [f"{r.chat}: {o!r}" for r, o in zip(crowd, outcomes, strict=True)
                              if isinstance(o, Exception)]
                except TimeoutError:
                    errors = [f"{r.chat}: not finished after {cfg.deadline_s}s" for r in crowd if not r.done]
                await killing  # the remaining kills, if the residents finished first
                tg.set_faults(None)
                drained_s = await _drain(tg, observer)
                staff_stop.set()
                await staff
                wall = time.monotonic() - t0
                reqs = await crash_checks._requests(observer.engine)
                stale = await _stale_press(tg, reqs)
                checks: dict[str, crash_checks.Check] = {
                    "requests_once": crash_checks.requests_once(residents, people.log, reqs),
                    "requests_decided": crash_checks.decided(residents, reqs),
                    **await crash_checks.letters(observer.engine, cfg.work_dir / "data" / "letters", reqs),
                    **await crash_checks.deliveries(observer.engine, tg, residents, reqs),
                    "presses_answered": crash_checks.presses_answered(tg, people.log, stale),
                    "updates_answered": crash_checks.updates_answered(people.log),
                    "residents_finished": {"ok": not errors, "errors": errors[:5], "error_count": len(errors)},
                    "no_unhandled_api_methods": {"ok": not tg.unhandled, "methods": sorted(set(tg.unhandled))},
                }
                pusher_stop.set()
                if pushing is not None:
                    await pushing
                reply = sorted(people.log.reply_s)
                return {
                    "residents": cfg.residents, "kills": service.kills, "kill_moments": dict(killer.log.kinds),
                    "aimed_kills_missed": killer.log.missed, "starts": service.starts,
                    "start_s_median": round(statistics.median(service.start_seconds), 2),
                    "wall_s": round(wall, 1), "drained_after_s": round(drained_s, 1),
                    "updates": people.log.updates, "staff_actions": dict(people.log.actions),
                    "reply_s": {"p50": round(reply[len(reply) // 2], 2) if reply else None,
                                "max": round(reply[-1], 2) if reply else None},
                    "kill_to_next_resident_message_s": _recovery(tg, service.kill_times),
                    "mode": cfg.mode, "webhook_retries": dict(pusher.failures),
                    "faults": tg.fault_counts(), "service_tracebacks": service.tracebacks(),
                    "figures": crash_checks.figures(checks), "checks": checks,
                    "ok": all(c["ok"] for c in checks.values()),
                }
            finally:  # an interrupted run leaves no service process behind
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await service.stop()
    finally:
        await observer.close()


def failures(result: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    """The failed checks of a run (but those in `skip`), one line each, for an assertion message; "" if none."""
    lines = []
    for name, check in result.get("checks", {}).items():
        if not check["ok"] and name not in skip:
            detail = {k: v for k, v in check.items() if k != "ok" and v not in ({}, [], 0, None)}
            lines.append(f"FAILED {name}: {json.dumps(detail, default=str)[:800]}")
    if not lines:
        return ""
    return "\n".join([f"figures {result.get('figures')}; kills {result.get('kills')} {result.get('kill_moments')}; "
                      f"faults {result.get('faults')}", *lines])
