"""The service a wrk benchmark measures, in a process of its own: its environment (the caller's, without any
e-surat setting of the caller's shell), its start (ready once `/healthz` answers 200), and the end of a
benchmark that names the targets it missed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ESURAT = [str(Path(sys.executable).parent / "esurat"), "run"]
NO_LIMIT = "1000000000"  # ESURAT_VERIFY_RATE_LIMIT_PER_MINUTE: wrk is one client, /v/ would answer 429


def service_env(data_dir: Path, port: int, **settings: str) -> dict[str, str]:
    """The environment of a service on 127.0.0.1:`port` keeping its data in `data_dir`, logging warnings only;
    `settings`: more ESURAT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESURAT_", "TELEGRAM_", "WHATSAPP_"))}
    env.update({"ESURAT_DATA_DIR": str(data_dir), "ESURAT_HTTP_PORT": str(port), "ESURAT_HTTP_HOST": "127.0.0.1",
                "ESURAT_LOG_LEVEL": "WARNING", **settings})
    return env


def start_service(command: list[str], env: dict[str, str], log: Path, port: int, *, timeout: float = 60.0,
                  ready: Callable[[httpx.Response], bool] = lambda _: True) -> subprocess.Popen[bytes]:
    """Start `command` (output to `log`) and wait until `/healthz` answers 200 (and `ready(answer)`); a service
    that exits or is not ready within `timeout` s is killed and the benchmark ends, pointing at its log."""
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if answer.status_code == 200 and ready(answer):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the service did not start: see {log}")


def finish(missed: list[str]) -> int:
    """The benchmark's exit status: 1 when a target was missed (each printed)."""
    for m in missed:
        print("MISSED:", m)
    return 1 if missed else 0
