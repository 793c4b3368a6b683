"""Benchmark: crash safety. Residents (default 30) ask for an SKTM concurrently through the fake Bot API
server while a staff member approves, rejects or asks for corrections in the moderation group, and the
service (`esurat run`, a subprocess; the fake and the people run in this process) is killed with SIGKILL
at random moments (mid-conversation, mid-send, mid-approval, mid-issue) at least 20 times and restarted.
Then: every submitted request exists exactly once; every approved request has exactly one letter with
one number and a PDF whose SHA-256 matches its row; every outbox message was delivered; each request has
one moderation card; no letter file without its row; each resident received each message exactly once;
every staff press (and one on a stale card) got an answer. On SQLite and on PostgreSQL.

Options: --residents N (30), --kills K (25), --runs R per backend (1), --backends sqlite,postgres,
--faults SHARE (0: no platform faults; e.g. 0.1 adds 429/500/slow/dropped answers to that share of
calls), --seed S, --quick (8 residents, 20 kills). PostgreSQL: --postgres-url or ESURAT_TEST_POSTGRES_URL;
a database esurat_bench_<random> is created and dropped; an unreachable server skips the backend.
Writes bench/results/crash.json; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crash_run import RunConfig, crash_run  # noqa: E402
from bench.telegram_load_support import pg_create, pg_drop  # noqa: E402
from tests.fakes.telegram_faults import FaultPlan, FaultRates  # noqa: E402

OUT = ROOT / "bench" / "results" / "crash.json"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def one_run(backend: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"esurat-crash-{backend}-"))
    url = ""
    try:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp / 'data' / 'esurat.sqlite3'}"
            (tmp / "data").mkdir()
        else:
            try:
                url = asyncio.run(pg_create(args.postgres_url))
            except Exception as e:  # noqa: BLE001 - any failure to reach the server
                return {"skipped": f"PostgreSQL unreachable at {args.postgres_url}: {e!r}"}
        faults = None
        if args.faults:
            rates = {"*": FaultRates.uniform(args.faults), "getupdates": FaultRates.uniform(args.faults / 4)}
            faults = FaultPlan(rates, seed=seed, slow_seconds=4.0)
        cfg = RunConfig(url, tmp, residents=args.residents, kills=args.kills, seed=seed, faults=faults,
                        deadline_s=args.deadline, think=(0.2, 1.5), stagger=min(60.0, 2.0 * args.residents))
        result = asyncio.run(crash_run(cfg))
        if not result["ok"]:
            result["service_log_tail"] = sorted(tmp.glob("service-*.log"))[-1].read_text(errors="replace")[-3000:]
        return result
    finally:
        if backend == "postgres" and url:
            asyncio.run(pg_drop(url))
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  kept {tmp}")


def report(backend: str, n: int, r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"  {backend:9} skipped: {r['skipped']}")
        return
    f = r["figures"]
    print(f"  {backend:9} run {n}: {r['residents']} residents, {r['kills']} kills {r['kill_moments']}, "
          f"{r['checks']['requests_once']['requests']} requests, {r['staff_actions']} in {r['wall_s']} s; "
          f"lost = {f['lost']}, duplicates = {f['duplicates']}, orphan letter files = {f['orphan_letter_files']}")
    rec = r["kill_to_next_resident_message_s"]
    print(f"  {'':9} restart {r['start_s_median']} s (median); kill -> next message to a resident: median "
          f"{rec['median_s']} s, max {rec['max_s']} s; reply p50 {r['reply_s']['p50']} s, max {r['reply_s']['max']} s"
          + (f"; faults {r['faults']}" if r["faults"] else ""))
    for name, c in r["checks"].items():
        if not c["ok"]:
            detail = {k: v for k, v in c.items() if k != "ok" and v not in ({}, [], 0, None)}
            print(f"  {'':9} [FAIL] {name} {json.dumps(detail, default=str)[:600]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=30)
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    parser.add_argument("--postgres-url", default=os.environ.get("ESURAT_TEST_POSTGRES_URL") or DEFAULT_PG)
    args = parser.parse_args()
    if args.quick:
        args.residents, args.kills = 8, 20
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"crash safety: {args.residents} residents and a staff member through the fake Bot API; `esurat run` "
          f"SIGKILLed {args.kills} times per run and restarted; {args.runs} run(s) per backend")
    results: dict[str, list[dict[str, Any]]] = {}
    for backend in backends:
        results[backend] = []
        for n in range(args.runs):
            r = one_run(backend, args, args.seed + n)
            results[backend].append(r)
            report(backend, n + 1, r)
    ran = [r for rs in results.values() for r in rs if "skipped" not in r]
    total = {"runs": len(ran), "kills": sum(r["kills"] for r in ran),
             "requests": sum(r["checks"]["requests_once"]["requests"] for r in ran),
             "lost": sum(r["figures"]["lost"] for r in ran), "duplicates": sum(r["figures"]["duplicates"] for r in ran),
             "orphan_letter_files": sum(r["figures"]["orphan_letter_files"] for r in ran)}
    print(f"  total: runs {total['runs']}, kills {total['kills']}, requests {total['requests']}, "
          f"lost = {total['lost']}, duplicates = {total['duplicates']}, orphan letter files = "
          f"{total['orphan_letter_files']}")
    ok = bool(ran) and all(r["ok"] for r in ran)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "benchmark": "crash", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "settings": {"residents": args.residents, "kills_per_run": args.kills, "runs_per_backend": args.runs,
                     "fault_share": args.faults, "seed": args.seed},
        "total": total, "backends": results, "ok": ok,
    }, indent=2, default=str) + "\n")
    print(f"  -> {OUT.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
