"""Benchmark: what the request id (`bot.request_id`: the X-Request-ID middleware and the `request_id` of log
records) costs, side by side in one run.

- In this process: the middleware alone around an app that answers at once, per request (with and without a
  client's X-Request-ID), against the same app without it; and a log record through the service's handler
  (JSON) with and without a request id set.
- The service in two processes of its own, the same app (SQLite, one worker, log level WARNING) with the
  middleware and with it taken out, under wrk (its own process: 1 thread, 32 connections, BENCH_SECONDS s
  each, in turns, best of BENCH_ROUNDS): `GET /healthz` and `GET /v/<id>` (the verification page of a letter
  that does not exist: one database lookup; its per-client limit lifted, wrk being one client); the ratio
  with / without for each.
Target: the service with the middleware keeps at least 95% of the requests per second of the one without
(on a noisy 2-core machine: the in-process figure is the exact cost). Writes bench/results/request_id.json;
exits 1 when the target is missed. Needs Debian's wrk (`make bench` installs it).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.service_process import NO_LIMIT, service_env, start_service  # noqa: E402
from bot.logging_setup import configure_logging, unconfigure_logging  # noqa: E402
from bot.request_id import RequestId  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from tests.support.service import free_port  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
OUT = ROOT / "bench" / "results" / "request_id.json"
TARGET_RATIO = 0.95
PATHS = {"healthz": "/healthz", "verify": "/v/" + "A" * 26}
N = 200_000


# -- in process ------------------------------------------------------------------------------------------------


async def _plain(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _per_request_us(app: Any, headers: list[tuple[bytes, bytes]]) -> float:
    scope = {"type": "http", "method": "GET", "path": "/healthz", "headers": headers}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(N):
            await app(scope, receive, send)
        best = min(best, (time.perf_counter() - started) / N * 1e6)
    return best


def _log_us(with_id: bool) -> float:
    """A JSON log record through the service's handler, written inside a request (with the middleware: with
    its id) or outside one."""
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", stream=stream, replace=False)
    log = logging.getLogger("esurat.bench")
    timings: list[float] = []

    async def logging_app(scope: Any, receive: Any, send: Any) -> None:
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(20_000):
                log.info("GET %s %d", "/healthz", 200)
            timings.append((time.perf_counter() - started) / 20_000 * 1e6)
            stream.seek(0)
            stream.truncate()
        log.info("the last record")
        await _plain(scope, receive, send)

    async def one_request() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: Any) -> None:
            return None

        app = RequestId(logging_app) if with_id else logging_app
        await app({"type": "http", "method": "GET", "path": "/", "headers": []}, receive, send)

    try:
        asyncio.run(one_request())
    finally:
        logging.getLogger().removeHandler(handler)
        unconfigure_logging()
    assert ('"request_id"' in stream.getvalue()) == with_id, stream.getvalue()
    return min(timings)


def in_process() -> dict[str, float]:
    plain = asyncio.run(_per_request_us(_plain, [(b"host", b"127.0.0.1")]))
    wrapped = asyncio.run(_per_request_us(RequestId(_plain), [(b"host", b"127.0.0.1")]))
    given = asyncio.run(_per_request_us(RequestId(_plain), [(b"host", b"127.0.0.1"), (b"x-request-id", b"abc-123")]))
    return {"app_alone_us": round(plain, 3), "with_middleware_us": round(wrapped, 3),
            "with_middleware_client_id_us": round(given, 3),
            "middleware_cost_us": round(wrapped - plain, 3), "middleware_cost_client_id_us": round(given - plain, 3),
            "log_record_json_us": round(_log_us(False), 3), "log_record_json_with_id_us": round(_log_us(True), 3)}


# -- the service -----------------------------------------------------------------------------------------------


def serve_variant(variant: str) -> None:
    """The server process: the service's app as `esurat run` builds it; "without": the middleware taken out."""
    import uvicorn

    from bot.cli.common import load_settings
    from bot.cli.service import _start_logging
    from bot.composition import build_services
    from bot.server import uvicorn_config
    from bot.web import create_app

    settings = load_settings()
    _start_logging(settings)
    app = create_app(build_services(settings))
    if variant == "without":
        app.user_middleware = [m for m in app.user_middleware if getattr(m, "cls", None) is not RequestId]
    uvicorn.Server(uvicorn_config(app, settings)).run()


def start(variant: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = service_env(data_dir, port, ESURAT_PUBLIC_URL=f"http://127.0.0.1:{port}",
                      ESURAT_VERIFY_RATE_LIMIT_PER_MINUTE=NO_LIMIT)

    def ready(answer: httpx.Response) -> bool:
        assert ("x-request-id" in answer.headers) == (variant == "with"), variant
        assert httpx.get(f"http://127.0.0.1:{port}{PATHS['verify']}").status_code == 404  # looked up
        return True

    return start_service([sys.executable, __file__, "--serve", variant], env, data_dir / f"service-{variant}.log",
                         port, ready=ready)


def wrk(base: str, path: str) -> float:
    cmd = ["wrk", "-t1", "-c32", f"-d{SECONDS}s", base + path]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    assert found, text
    return float(found.group(1))


def over_http() -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="esurat-bench-rid-"))
    try:
        upgrade(f"sqlite+aiosqlite:///{data_dir / 'esurat.sqlite3'}")
        ports = {"with": free_port(), "without": free_port()}
        procs = {v: start(v, data_dir, port) for v, port in ports.items()}
        try:
            rps: dict[str, dict[str, list[float]]] = {name: {"with": [], "without": []} for name in PATHS}
            for turn in range(ROUNDS):  # in turns (and the order swapped each round): noise falls on both alike
                order = ["with", "without"] if turn % 2 == 0 else ["without", "with"]
                for name, path in PATHS.items():
                    for variant in order:
                        rps[name][variant].append(wrk(f"http://127.0.0.1:{ports[variant]}", path))
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(timeout=30)
        out: dict[str, Any] = {}
        for name, by_variant in rps.items():
            best = {v: max(values) for v, values in by_variant.items()}
            out[name] = {"rps_with": best["with"], "rps_without": best["without"],
                         "ratio": round(best["with"] / best["without"], 3), "runs": by_variant}
        return out
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk not found: `make bench` installs it (Debian package wrk)")
        return 1
    process = in_process()
    print(f"in process: the middleware costs {process['middleware_cost_us']:.2f} us a request "
          f"({process['middleware_cost_client_id_us']:.2f} us with a client's id); a JSON log record "
          f"{process['log_record_json_us']:.2f} us, {process['log_record_json_with_id_us']:.2f} us with the id")
    http = over_http()
    for name, figures in http.items():
        print(f"{name}: {figures['rps_with']:.0f} req/s with the middleware, {figures['rps_without']:.0f} without: "
              f"ratio {figures['ratio']:.3f}")
    ok = all(f["ratio"] >= TARGET_RATIO for f in http.values())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.machine(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "wrk_seconds": SECONDS, "rounds": ROUNDS,
        "target_ratio": TARGET_RATIO, "in_process": process, "http": http, "ok": ok,
    }, indent=2) + "\n")
    print("target met" if ok else f"target missed: ratio below {TARGET_RATIO}")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_variant(sys.argv[2])
    else:
        sys.exit(main())
