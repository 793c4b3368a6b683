"""Benchmark: the statistics (`GET /api/v1/statistik`) on 1,000,000 requests, on SQLite and PostgreSQL.

For each database: a fresh database filled with BENCH_STAT_ROWS requests (default 1,000,000;
`bench/statistik_data.py`), then
- the cold aggregation (`stats.figures.compute_statistics`, every query run by the database), city-wide
  and for one kelurahan: median of 3 runs, in this process;
- the service (`esurat run`, its own process, one worker) under wrk (its own process: 1 thread,
  32 connections, BENCH_SECONDS s each, in turns): `/healthz` beside `/api/v1/statistik` (the dashboard's
  repeated call, answered from the statistics cache) and beside `/api/v1/statistik?kelurahan=...` rotating
  over all 30 kelurahan; the ratio of each to `/healthz` in the same run;
- the first (uncached) HTTP call for five periods never asked before: median latency.
Targets: cold city-wide aggregation at most 5 s on each database; the cached endpoint at least 50% of
`/healthz`'s requests per second. Writes bench/results/statistik.json; exits 1 when a target is missed.
Needs Debian's wrk (`make bench` installs it) and, for PostgreSQL, BENCH_PG_URL (default the local server).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_process import ESURAT, finish, service_env, start_service  # noqa: E402
from bench.statistik_data import fill  # noqa: E402
from bench.telegram_load_support import pg_create, pg_drop  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from flows import load_catalogue  # noqa: E402
from stats.figures import Filters, compute_statistics  # noqa: E402
from tests.support.service import free_port  # noqa: E402

ROWS = int(os.environ.get("BENCH_STAT_ROWS", "1000000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
OUT = ROOT / "bench" / "results" / "statistik.json"
TARGET_COLD_S, TARGET_RATIO = 5.0, 0.5
ROTATE = """
slugs = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/statistik?kelurahan=" .. slugs[(i %% #slugs) + 1])
end
"""


async def cold(url: str) -> dict[str, float]:
    engine = make_engine(url)
    sessions, catalogue = make_sessionmaker(engine), load_catalogue()
    out: dict[str, float] = {}
    for name, filters in (("city_s", Filters()), ("kelurahan_s", Filters(kelurahan="bukit-tunggal"))):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            async with sessions() as session:
                await compute_statistics(session, catalogue, filters)
            times.append(time.perf_counter() - started)
        out[name] = round(statistics.median(times), 3)
    await engine.dispose()
    return out


def wrk(base: str, path: str, script: Path | None = None) -> float:
    cmd = ["wrk", "-t1", "-c32", f"-d{SECONDS}s", *(["-s", str(script)] if script else []), base + path]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    assert found, text
    return float(found.group(1))


def serve(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return start_service(ESURAT, service_env(data_dir, port, ESURAT_DATABASE_URL=url), data_dir / "service.log", port)


def measure_http(url: str, data_dir: Path, slugs: list[str]) -> dict[str, Any]:
    port = free_port()
    proc = serve(url, data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        first = []
        for month in range(1, 6):  # periods never asked before: the aggregation runs
            started = time.perf_counter()
            response = httpx.get(f"{base}/api/v1/statistik?dari=2026-{month:02d}-01&sampai=2026-12-31", timeout=120)
            first.append(time.perf_counter() - started)
            response.raise_for_status()
        httpx.get(f"{base}/api/v1/statistik", timeout=120).raise_for_status()
        for slug in slugs:
            httpx.get(f"{base}/api/v1/statistik?kelurahan={slug}", timeout=120).raise_for_status()
        script = data_dir / "rotate.lua"
        script.write_text(ROTATE % ", ".join(f'"{s}"' for s in slugs))
        rps: dict[str, list[float]] = {"healthz": [], "statistik": [], "statistik_kelurahan": []}
        for _ in range(2):  # in turns, so that noise falls on all alike
            rps["healthz"].append(wrk(base, "/healthz"))
            rps["statistik"].append(wrk(base, "/api/v1/statistik"))
            rps["statistik_kelurahan"].append(wrk(base, "/", script))
        best = {k: max(v) for k, v in rps.items()}
        return {"uncached_first_call_s": round(statistics.median(first), 3),
                "rps": best,
                "ratio_statistik": round(best["statistik"] / best["healthz"], 3),
                "ratio_statistik_kelurahan": round(best["statistik_kelurahan"] / best["healthz"], 3)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def prepare(url: str) -> tuple[int, list[str]]:
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    rows = await fill(engine, ROWS)
    from sqlalchemy import text

    async with engine.connect() as conn:
        slugs = [r[0] for r in await conn.execute(text("SELECT slug FROM kelurahan ORDER BY slug"))]
    await engine.dispose()
    return rows, slugs


def run_backend(name: str) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"esurat-bench-stat-{name}-"))
    url = (f"sqlite+aiosqlite:///{data_dir / 'esurat.sqlite3'}" if name == "sqlite"
           else asyncio.run(pg_create(PG_URL)))
    try:
        started = time.perf_counter()
        rows, slugs = asyncio.run(prepare(url))
        filled = time.perf_counter() - started
        result: dict[str, Any] = {"rows": rows, "fill_s": round(filled, 1), "cold": asyncio.run(cold(url))}
        result.update(measure_http(url, data_dir, slugs))
        return result
    finally:
        if name == "postgres":
            asyncio.run(pg_drop(url))
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk not found: `make bench` installs it (Debian package wrk)")
        return 1
    results = {name: run_backend(name) for name in ("sqlite", "postgres")}
    missed = []
    for name, r in results.items():
        print(f"{name}: {r['rows']:,} requests (filled in {r['fill_s']} s); cold aggregation city-wide "
              f"{r['cold']['city_s']} s, one kelurahan {r['cold']['kelurahan_s']} s; first HTTP call "
              f"{r['uncached_first_call_s']} s")
        print(f"  req/s: /healthz {r['rps']['healthz']:.0f}, /api/v1/statistik {r['rps']['statistik']:.0f} "
              f"({r['ratio_statistik']:.0%}), ?kelurahan= x30 {r['rps']['statistik_kelurahan']:.0f} "
              f"({r['ratio_statistik_kelurahan']:.0%})")
        if r["cold"]["city_s"] > TARGET_COLD_S:
            missed.append(f"{name}: cold aggregation {r['cold']['city_s']} s > {TARGET_COLD_S} s")
        if r["ratio_statistik"] < TARGET_RATIO:
            missed.append(f"{name}: cached statistik at {r['ratio_statistik']:.0%} of /healthz < {TARGET_RATIO:.0%}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.machine(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "rows": ROWS, "wrk_seconds": SECONDS,
        "targets": {"cold_city_s": TARGET_COLD_S, "cached_ratio": TARGET_RATIO}, "results": results,
        "missed": missed, "day": date.today().isoformat(),
    }, indent=2) + "\n")
    return finish(missed)


if __name__ == "__main__":
    raise SystemExit(main())
