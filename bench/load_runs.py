"""One run of bench/bench_telegram_load.py: the fake Bot API in this process, the service (`esurat run` replicas,
webhook mode) or the aiogram echo bot in processes of their own, the residents driving them; its figures (updates
per second, latency, the CPU time of the service's processes, of this process and of the machine) and checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

import flows
from bench.load_checks import approve, checks, summary
from bench.load_residents import EchoResident, Finished, SktmResident, Timings, Webhooks, spread
from bench.telegram_load_support import BENCH_APP, LoadFake, Observer
from db.engine import make_sessionmaker
from tests.support.replicas import (
    TOKEN,
    WEBHOOK_SECRET,
    ServiceConfig,
    cpu_seconds,
    running_replicas,
    tail,
    until_ready,
)
from tests.support.service import free_port
from tests.support.telegram import jpeg, register_in

OUTBOX_POLL = 0.02  # seconds: as the tests' services (tests/support/telegram.OUTBOX_POLL)
FIRST_RESIDENT = 5_000_001
DRAIN_TIMEOUT = 300.0
ECHO_BOT = Path(__file__).with_name("echo_bot.py")


@dataclass(frozen=True)
class Options:
    residents: int
    approvals: int
    preload: bool


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (Linux /proc/stat)."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4], sum(values)  # idle and iowait are not busy


class Meter:
    """Wall and CPU time from `start` until `stop`: of the given processes, of this one, of the machine, and on
    PostgreSQL of the server's backends serving the service's connections (those open at the end: a
    connection closed during the run takes its backend's time with it, so this is a lower bound)."""

    def __init__(self, pids: list[int], url: str) -> None:
        self.pids, self.url = pids, url
        self.wall, self.bench = time.monotonic(), time.process_time()
        self.service = [cpu_seconds(p) for p in pids]
        self.machine = machine_ticks()
        self.backends: dict[int, float] = {}
        self.load = round(os.getloadavg()[0], 2)

    @classmethod
    async def start(cls, pids: list[int], url: str = "") -> Meter:
        meter = cls(pids, url)
        meter.backends = await backend_cpu(url)
        return meter

    async def stop(self, updates: int) -> dict[str, Any]:
        wall = time.monotonic() - self.wall
        each = [cpu_seconds(p) - before for p, before in zip(self.pids, self.service, strict=True)]
        service = sum(each)
        bench = time.process_time() - self.bench
        busy, total = (now - then for now, then in zip(machine_ticks(), self.machine, strict=True))
        database = None
        if self.url.startswith("postgresql"):
            database = sum(s - self.backends.get(pid, 0.0) for pid, s in (await backend_cpu(self.url)).items())
        cores = os.cpu_count() or 1
        machine = busy / total * cores if total else 0.0
        cpu = {"service_s": round(service, 2), "service_s_by_process": [round(x, 2) for x in each],
               "service_cores_busy": round(service / wall, 2),
               "service_ms_per_update": round(service / updates * 1000, 2) if updates else None,
               "bench_s": round(bench, 2), "bench_cores_busy": round(bench / wall, 2),
               "machine_cores_busy": round(machine, 2),
               # what else ran on the machine meanwhile (other work, PostgreSQL's own): the noise
               "other_cores_busy": round(machine - (service + bench + (database or 0.0)) / wall, 2),
               "load_average_at_start": self.load}
        if database is not None:
            cpu |= {"postgres_backends_s": round(database, 2), "postgres_cores_busy": round(database / wall, 2),
                    "postgres_ms_per_update": round(database / updates * 1000, 2) if updates else None}
        return {"wall_s": round(wall, 2), "updates_per_s": round(updates / wall, 1) if wall else None, "cpu": cpu}


async def deadlocks(url: str) -> int | None:
    """Deadlocks PostgreSQL detected (and broke by aborting a transaction) in the database of `url` so far."""
    if not url.startswith("postgresql"):
        return None
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute("SELECT pg_stat_force_next_flush()")
        return int(await conn.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))
    finally:
        await conn.close()


async def backend_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the service's connections to the database of `url`
    (not the bench's: application_name BENCH_APP); {} on SQLite."""
    if not url.startswith("postgresql"):
        return {}
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                "AND pid <> pg_backend_pid() AND application_name <> $1", BENCH_APP)
    finally:
        await conn.close()
    out: dict[int, float] = {}
    for row in pids:
        with contextlib.suppress(OSError):  # ended meanwhile (or the server is not on this machine)
            out[row["pid"]] = cpu_seconds(row["pid"])
    return out


async def drain(observer: Observer) -> float:
    """Seconds until no Telegram outbox row is pending (one read every 50 ms)."""
    t0 = time.monotonic()
    while await observer.pending():
        if time.monotonic() - t0 > DRAIN_TIMEOUT:
            raise TimeoutError(f"outbox not drained after {DRAIN_TIMEOUT}s")
        await asyncio.sleep(0.05)
    return time.monotonic() - t0


def digest(log: str, limit: int = 6000) -> str:
    """The first traceback of a log without the frames of installed packages: the service's own frames, the
    exceptions and the SQL statement."""
    lines = log[log.find("Traceback"):].splitlines()[:400] if "Traceback" in log else []
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith('  File "'):
            skipping = "site-packages" in line or line.startswith('  File "asyncpg')
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)[:limit]


def figures(timings: Timings, measured: dict[str, Any], residents: int) -> dict[str, Any]:
    return {"residents": residents, "updates": timings.updates,
            "updates_per_resident": round(timings.updates / residents, 1), **measured,
            "latency_ms": summary(timings.all()),
            "latency_ms_by_kind": {k: summary(v) for k, v in timings.latencies_ms.items() if v}}


async def esurat_run(url: str, work: Path, opts: Options, *, replicas: int, pace: float = 0.0,
                     seconds: float | None = None) -> dict[str, Any]:
    """The residents complete their requests on `replicas` replicas as fast as they can, then staff approve
    a sample; or, paced (`pace` > 0), they answer `pace` s after the bot's last reply (the starts spread over
    that time) for `seconds`, then stop where they are. Then the checks."""
    observer = Observer(url, pool_size=10)
    await register_in(make_sessionmaker(observer.engine))
    catalogue, photo = flows.load_catalogue(), jpeg()
    try:
        async with LoadFake(token=TOKEN) as tg:
            tg.queue_updates = False  # the residents post their updates to the webhooks themselves
            configs = [ServiceConfig(work / "data", url, tg.base_url, mode="webhook", request_timeout=20.0,
                                     outbox_poll=OUTBOX_POLL, log_level="WARNING", preload=opts.preload)
                       for _ in range(replicas)]
            async with running_replicas(configs) as procs, Webhooks([p.webhook_url for p in procs]) as hooks:
                timings = Timings()
                user_ids = [FIRST_RESIDENT + i for i in range(opts.residents)]
                until = time.monotonic() + seconds if pace and seconds else None
                people = [SktmResident(tg, hooks, i, u, timings, pace, until, observer=observer,
                                       catalogue=catalogue, photo=photo) for i, u in enumerate(user_ids)]
                meter = await Meter.start([p.pid for p in procs], url)
                outcomes = await spread([partial(p.request_sktm, dependants=i % 2) for i, p in enumerate(people)],
                                        pace)
                measured = await meter.stop(timings.updates)
                errors = [f"{u}: {o!r}" for u, o in zip(user_ids, outcomes, strict=True)
                          if o is not None and not isinstance(o, Finished)]
                cards_drain = await drain(observer)
                approvals = 0 if until else opts.approvals  # stopped midway, paced residents have no request
                step = max(1, opts.residents // approvals) if approvals else 0
                sample = user_ids[::step][:approvals] if approvals else []
                appr: dict[str, Any] = {"approved": 0, "update_ids": []}
                if sample:
                    appr = await approve(tg, observer, hooks, sample)
                await drain(observer)
                result_checks = await checks(tg, observer, user_ids, set(sample),
                                             timings.update_ids + appr.pop("update_ids"), errors,
                                             requests=until is None)
            tracebacks = {p.name: p.tracebacks() for p in procs}
            broken = await deadlocks(url)  # the database is new: all of them during this run
            first = next((text for p in procs for log in p.logs
                          if "Traceback" in (text := log.read_text(errors="replace"))), "")
    finally:
        await observer.close()
    result_checks["no_service_tracebacks"] = {"ok": not any(tracebacks.values()), "tracebacks": tracebacks,
                                              "first": digest(first)}
    return {"replicas": replicas, "pace_s": pace, "seconds": seconds if until else None, "postgres_deadlocks": broken,
            **figures(timings, measured, opts.residents),
            "group_cards_drained_after_s": round(cards_drain, 2), "approvals": appr, "checks": result_checks,
            "ok": all(c["ok"] for c in result_checks.values())}


async def echo_run(work: Path, opts: Options, messages: int) -> dict[str, Any]:
    """The aiogram echo bot (bench/echo_bot.py) in its own process; each resident sends `messages` texts as
    fast as the answers come."""
    log = work / "echo-bot.log"
    async with LoadFake(token=TOKEN) as tg:
        tg.queue_updates = False
        port = free_port()
        with log.open("wb") as out:  # noqa: ASYNC230 - opening a local log file does not block
            proc = await asyncio.create_subprocess_exec(
                sys.executable, str(ECHO_BOT), "--port", str(port), "--api-base", tg.base_url, "--token", TOKEN,
                "--secret", WEBHOOK_SECRET, stdout=out, stderr=asyncio.subprocess.STDOUT)
        try:
            await until_ready(f"http://127.0.0.1:{port}/healthz", proc, log)
            async with Webhooks([f"http://127.0.0.1:{port}/webhook"]) as hooks:
                timings = Timings()
                user_ids = [FIRST_RESIDENT + i for i in range(opts.residents)]
                people = [EchoResident(tg, hooks, i, u, timings) for i, u in enumerate(user_ids)]
                meter = await Meter.start([proc.pid])
                outcomes = await spread([partial(p.chat, messages) for p in people], 0.0)
                measured = await meter.stop(timings.updates)
        finally:
            proc.terminate()
            await proc.wait()
    errors = [f"{u}: {o!r}" for u, o in zip(user_ids, outcomes, strict=True) if o is not None]
    wrong = {u: tg.sends(u) for u in user_ids if tg.sends(u) != messages}
    result_checks: dict[str, dict[str, Any]] = {
        "one_reply_per_message": {"ok": not wrong, "wrong": dict(list(wrong.items())[:10])},
        "no_resident_errors": {"ok": not errors, "errors": errors[:5], "error_count": len(errors)},
        "no_tracebacks": {"ok": "Traceback" not in tail(log, 10_000)},
    }
    return {"bot": "aiogram echo (bench/echo_bot.py)", **figures(timings, measured, opts.residents),
            "checks": result_checks, "ok": all(c["ok"] for c in result_checks.values())}
