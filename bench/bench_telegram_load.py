"""Benchmark: simulated residents (default 200) on Telegram against e-surat run as its own process(es)
(`esurat run`, webhook mode), on SQLite and on PostgreSQL. The fake Bot API server and the residents run in this
process, posting each update to a replica's webhook as Telegram does: the CPU time reported is the service's own.

Each resident completes an SKTM request: /start, consent, kelurahan, letter, every field, 0 or 1 dependant
(alternately), a photo for each attachment, "kirim". A step: post the update, wait for the first bot message to
the chat (its latency), read how many messages the service wrote for the chat (and its state: one read), wait
until all of them arrived. Modes, all in one run:
  paced      per backend: each resident answers --pace (3) s after the bot's last reply, the starts spread over
             that time, for --paced-seconds (60; then they stop where they are); update -> first reply
             p50/p95/max. Target: p95 <= 100 ms.
  saturated  per backend: the residents answer at once; updates per second. Target: >= 255 (3 x 85).
  echo       a minimal aiogram echo bot (bench/echo_bot.py, its own process) on the same fake, driven by the same
             saturated residents, text only: e-surat's saturated updates/s divided by the echo bot's.
  replicas   PostgreSQL, saturated, two replicas (residents alternate between them) against the one-replica
             saturated run. Target: ratio >= 1.7. Also printed: the ceiling on this machine (its cores over
             the cores the one-replica run kept busy): a replica that fills a core cannot be doubled on 2.
After each saturated e-surat run staff approve a sample (--approve, 20) and the PDFs reach the residents; then
the checks: one request per resident in the right status, every outbox row sent, sends to each resident's chat
== its outbox rows, one card per request, every update handled exactly once, no traceback in the service's logs
(after a paced run, which stops midway, those of the updates and the deliveries).

Telegram's own rate limits (1 msg/s per chat, 20/min per group, 30/s overall) are off in the service, so that
the bench measures e-surat's capacity. Options: --residents, --backends, --modes, --approve, --pace, --quick
(20 residents, 5 approvals, pace 0.3 s for 10 s), --preload (start replicas from a preloaded fork server), --no-targets
(exit 0 when only targets are missed). PostgreSQL: --postgres-url or ESURAT_TEST_POSTGRES_URL; a database
esurat_bench_<random> is made per run and dropped; an unreachable server skips the backend.
Writes bench/results/telegram_load.json; exits 1 when a check fails or (without --no-targets) a target is missed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import uvloop  # noqa: E402

from bench.load_runs import OUTBOX_POLL, Options, echo_run, esurat_run  # noqa: E402
from bench.telegram_load_support import pg_create, pg_drop  # noqa: E402
from db.migrate import upgrade  # noqa: E402

OUT = ROOT / "bench" / "results" / "telegram_load.json"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
MODES = ("paced", "saturated", "echo", "replicas")
TARGETS = {"paced_p95_ms": 100.0, "saturated_updates_per_s": 255.0, "replicas_ratio": 1.7}


def on_database(backend: str, args: argparse.Namespace,
                run: Callable[[str, Path], Coroutine[Any, Any, dict[str, Any]]]) -> dict[str, Any]:
    """`run(url, work_dir)` on a fresh migrated database of `backend`, dropped afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=f"esurat-load-{backend}-"))
    url = ""
    try:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        else:
            try:
                url = uvloop.run(pg_create(args.postgres_url))
            except (OSError, asyncpg.PostgresError) as e:
                return {"skipped": f"PostgreSQL unreachable at {args.postgres_url}: {e!r}"}
        upgrade(url)  # outside any event loop
        return uvloop.run(run(url, tmp))
    finally:
        if backend == "postgres" and url:
            uvloop.run(pg_drop(url))
        shutil.rmtree(tmp, ignore_errors=True)


def print_run(name: str, r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"  {name:22} skipped: {r['skipped']}")
        return
    lat, cpu = r["latency_ms"], r["cpu"]
    print(f"  {name:22} {r['residents']} residents, {r['updates']} updates in {r['wall_s']} s: "
          f"{r['updates_per_s']} updates/s; update -> first reply p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
          f"max {lat['max']} ms")
    database = (f", PostgreSQL backends {cpu['postgres_cores_busy']} cores ({cpu['postgres_ms_per_update']} "
                f"ms/update)" if "postgres_cores_busy" in cpu else "")
    print(f"  {'':22} CPU: service {cpu['service_cores_busy']} cores ({cpu['service_ms_per_update']} ms/update)"
          f"{database}, bench {cpu['bench_cores_busy']} cores; machine {cpu['machine_cores_busy']} of "
          f"{os.cpu_count()} cores busy, {cpu['other_cores_busy']} by other work (load average at the start "
          f"{cpu['load_average_at_start']})")
    if r.get("postgres_deadlocks"):
        print(f"  {'':22} PostgreSQL broke {r['postgres_deadlocks']} deadlock(s) in the service's transactions "
              f"(pg_stat_database; the server log names the statements)")
    a = r.get("approvals") or {}
    if a.get("approved"):
        print(f"  {'':22} {a['approved']} approvals in {a['wall_s']} s, press -> PDF p50 "
              f"{a['press_to_pdf_ms']['p50']} ms, max {a['press_to_pdf_ms']['max']} ms")
    for check, c in r["checks"].items():
        if not c["ok"]:
            detail = {k: v for k, v in c.items() if k != "ok" and v not in ({}, [], 0)}
            print(f"  {'':22} [FAIL] {check} {json.dumps(detail, default=str)}")
    if r["ok"]:
        print(f"  {'':22} checks ok: {', '.join(r['checks'])}")


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or "skipped" in a or "skipped" in b or not b["updates_per_s"]:
        return None
    return round(float(a["updates_per_s"]) / float(b["updates_per_s"]), 2)


def replicas_ceiling(one: dict[str, Any]) -> float:
    """The most two replicas could reach over one on this machine: all the work of the one-replica run (the
    service, PostgreSQL, the bench's residents and fake) grows with the rate, so the rate can grow until
    every core is busy (and at most twofold)."""
    busy = float(one["cpu"]["machine_cores_busy"])
    return round(min(2.0, (os.cpu_count() or 1) / busy), 2) if busy else 2.0


def targets(runs: dict[str, dict[str, Any]], ratios: dict[str, float | None]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, r in runs.items():
        if "skipped" in r or name.endswith("-2-replicas") or name == "echo":
            continue
        if name.endswith("-paced"):
            out[name] = {"p95_ms": r["latency_ms"]["p95"], "target_max": TARGETS["paced_p95_ms"],
                         "met": r["latency_ms"]["p95"] <= TARGETS["paced_p95_ms"]}
        else:
            out[name] = {"updates_per_s": r["updates_per_s"], "target_min": TARGETS["saturated_updates_per_s"],
                         "met": r["updates_per_s"] >= TARGETS["saturated_updates_per_s"]}
    if (two := ratios.get("postgres_2_replicas_over_1")) is not None:
        out["postgres-replicas"] = {"ratio": two, "target_min": TARGETS["replicas_ratio"],
                                    "ceiling_on_this_machine": replicas_ceiling(runs["postgres-saturated"]),
                                    "met": two >= TARGETS["replicas_ratio"]}
    return out


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200, help="concurrent residents (default 200)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated: {','.join(MODES)}")
    parser.add_argument("--approve", type=int, default=20, help="requests approved by staff after each e-surat run")
    parser.add_argument("--pace", type=float, default=3.0, help="paced mode: seconds after the bot's last reply")
    parser.add_argument("--paced-seconds", type=float, default=60.0,
                        help="paced mode: how long the residents answer (default 60; then they stop where they are)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 20 residents, 5 approvals, pace 0.3 s for 10 s")
    parser.add_argument("--preload", action="store_true", help="start replicas from a preloaded fork server")
    parser.add_argument("--no-targets", action="store_true", help="exit 0 when only targets are missed")
    parser.add_argument("--postgres-url", default=os.environ.get("ESURAT_TEST_POSTGRES_URL") or DEFAULT_PG)
    args = parser.parse_args()
    if args.quick:
        args.residents, args.approve, args.pace, args.paced_seconds = 20, 5, 0.3, 10.0
    args.approve = max(0, min(args.approve, args.residents))
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(args.backends) - {"sqlite", "postgres"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    return args


def main() -> int:
    args = parse()
    logging.basicConfig(level=logging.WARNING)
    print(f"telegram load: {args.residents} residents completing an SKTM request through the fake Bot API server "
          f"(this process) against `esurat run` in webhook mode (separate processes); modes {', '.join(args.modes)}")
    print("  Telegram's rate limits are OFF in the service: this measures e-surat's own capacity.")
    opts = Options(residents=args.residents, approvals=args.approve, preload=args.preload)
    runs: dict[str, dict[str, Any]] = {}

    def record(name: str, result: dict[str, Any]) -> None:
        runs[name] = result
        print_run(name, result)

    for backend in args.backends:
        if "paced" in args.modes:
            record(f"{backend}-paced", on_database(backend, args, lambda url, tmp: esurat_run(
                url, tmp, opts, replicas=1, pace=args.pace, seconds=args.paced_seconds)))
        if "saturated" in args.modes or "echo" in args.modes or ("replicas" in args.modes and backend == "postgres"):
            record(f"{backend}-saturated", on_database(backend, args, lambda url, tmp: esurat_run(
                url, tmp, opts, replicas=1)))
        if "replicas" in args.modes and backend == "postgres":
            record("postgres-2-replicas", on_database(backend, args, lambda url, tmp: esurat_run(
                url, tmp, opts, replicas=2)))
    if "echo" in args.modes:
        done = [r for n, r in runs.items() if n.endswith("-saturated") and "skipped" not in r]
        per_resident = round(done[0]["updates"] / done[0]["residents"]) if done else 31
        tmp = Path(tempfile.mkdtemp(prefix="esurat-load-echo-"))
        try:
            record("echo", uvloop.run(echo_run(tmp, opts, per_resident)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    ratios = {f"{b}_saturated_over_echo": ratio(runs.get(f"{b}-saturated"), runs.get("echo")) for b in args.backends}
    ratios["postgres_2_replicas_over_1"] = ratio(runs.get("postgres-2-replicas"), runs.get("postgres-saturated"))
    ratios["sqlite_over_postgres_saturated"] = ratio(runs.get("sqlite-saturated"), runs.get("postgres-saturated"))
    ratios = {k: v for k, v in ratios.items() if v is not None}
    goals = targets(runs, ratios)
    for name, value in ratios.items():
        print(f"  {name} = {value}")
    for name, goal in goals.items():
        shown = {k: v for k, v in goal.items() if k != "met"}
        print(f"  target {name}: {'met' if goal['met'] else 'MISSED'} {shown}")
    checks_ok = all(r["ok"] for r in runs.values() if "skipped" not in r)
    targets_met = all(g["met"] for g in goals.values())
    result = {
        "benchmark": "telegram_load",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "residents": args.residents, "approved_sample": args.approve, "pace_s": args.pace,
        "paced_seconds": args.paced_seconds, "quick": args.quick,
        "flow": "SKTM: /start, consent, kelurahan, letter, fields, 0 or 1 dependant (alternately), "
                "a photo per attachment, summary, kirim",
        "latency": "update posted to the webhook -> first bot message to that chat reaching the fake",
        "service": {"command": "esurat run", "telegram_mode": "webhook", "log_level": "WARNING",
                    "outbox_poll_interval": OUTBOX_POLL, "telegram_rate_limits": "off",
                    "started_from": "a preloaded fork server" if args.preload else "the esurat script"},
        "note": "The service runs as separate processes; the fake Bot API, the residents and the echo bot's "
                "driver run in the bench process (its CPU is reported apart). Telegram posts at most 40 updates "
                "at once to a webhook (setWebhook's default max_connections): so does the bench, per replica. "
                "The machine is shared and noisy: compare figures of the same run.",
        "runs": runs, "ratios": ratios, "targets": goals,
        "checks_ok": checks_ok, "targets_met": targets_met,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"  -> {OUT.relative_to(ROOT)}")
    return 0 if checks_ok and (targets_met or args.no_targets) else 1


if __name__ == "__main__":
    sys.exit(main())
