"""`esurat run --workers N`: N server processes on one port (uvicorn's supervisor), each with its own services
over the shared database; refused with Telegram in polling mode (getUpdates allows one reader)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.support.service import free_port


def test_two_workers_serve_one_port(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESURAT_", "TELEGRAM_", "WHATSAPP_"))}
    env.update({"ESURAT_DATA_DIR": str(tmp_path / "data"), "ESURAT_HTTP_PORT": str(port), "ESURAT_REMINDERS": "false"})
    log = tmp_path / "out.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "esurat"), "run", "--workers", "2"], env=env,
                                cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, ready = time.monotonic() + 60, False
        while time.monotonic() < deadline and not ready:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.3)
        assert ready, log.read_text()
        for _ in range(50):
            started = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
            if len(started) == 2:
                break
            time.sleep(0.2)
        assert len(started) == 2, log.read_text()
        assert all(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200 for _ in range(20))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_polling_telegram_refuses_more_than_one_worker(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    monkeypatch.setenv("ESURAT_PUBLIC_URL", "https://esurat.example.go.id")
    res = runner.invoke(app, ["run", "--workers", "2"])
    assert res.exit_code != 0 and "mode webhook" in res.output
