"""`make demo` from a fresh checkout (git clone into a temp dir): it makes its own .venv, installs,
migrates, seeds the demo staff and serves `/`, `/layanan` and `/demo` on the port it is given.

Slow (a fresh virtualenv and pip install, up to 300 s). The clone is of the committed HEAD.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.service import free_port

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 300



def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no output)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the process group this test started (make, esurat, uvicorn)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.mark.skipif(not (shutil.which("git") and shutil.which("make")), reason="needs git and make")
def test_make_demo_serves_the_pages_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "e-surat"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    venv_bin = str(REPO / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ESURAT_", "TELEGRAM_", "PYTEST", "VIRTUAL_ENV")) and k != "PYTHONPATH"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.update(ESURAT_HTTP_PORT=str(port), ESURAT_PUBLIC_URL=base, ESURAT_DATA_DIR=str(tmp_path / "data"))
    log = tmp_path / "make-demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["make", "demo"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert proc.poll() is None, f"make demo exited with {proc.returncode}:\n{_tail(log)}"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"make demo did not serve within {TIMEOUT} s:\n{_tail(log)}"
            time.sleep(1)
        for path in ("/", "/layanan", "/demo"):
            r = httpx.get(base + path, timeout=10)
            assert r.status_code == 200, (path, r.status_code, _tail(log))
            assert 'lang="id"' in r.text
        staff = httpx.get(f"{base}/demo/api/staff/bukit-tunggal/cards", timeout=10)
        assert staff.status_code == 200 and staff.json()["staff"]["demo"] is True
        assert (clone / ".venv" / "bin" / "esurat").exists()
        assert (tmp_path / "data" / "esurat.sqlite3").exists() and not (clone / "var").exists()
    finally:
        _stop(proc)
