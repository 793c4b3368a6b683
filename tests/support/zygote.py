"""Starting `esurat run` in about 0.5 s instead of 3-10 s: a fork server (tests/support/service_zygote.py) that
has imported the service forks a child that runs exactly what `esurat run` runs (`ServiceConfig.preload` in
tests/support/replicas.py). One server per calling process, ended with any child still running when that
process exits or closes its pipe."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

START_TIMEOUT = 60.0


class ForkedProcess:
    """A child of the `Zygote`: the part of asyncio.subprocess.Process that ServiceProcess uses."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid = zygote, pid

    @property
    def returncode(self) -> int | None:
        return self.zygote.exits.get(self.pid)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:  # not reaped yet: the pid is still this process's
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    async def wait(self) -> int:
        while (code := self.returncode) is None:
            if not self.zygote.alive():
                raise RuntimeError("the service fork server exited")
            await asyncio.sleep(0.01)
        return code


class Zygote:
    """The fork server of this process, started at the first preloaded start."""

    SCRIPT = Path(__file__).with_name("service_zygote.py")
    _instance: Zygote | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ESURAT_", "TELEGRAM_"))}
        self.proc = subprocess.Popen([sys.executable, str(self.SCRIPT)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, start_new_session=True)
        self.exits: dict[int, int] = {}
        self._pids: queue.Queue[int] = queue.Queue()
        self._ready = threading.Event()
        self._spawn_lock = threading.Lock()
        threading.Thread(target=self._read, name="zygote-reader", daemon=True).start()

    @classmethod
    def get(cls) -> Zygote:
        with cls._lock:
            if cls._instance is None or not cls._instance.alive():
                cls._instance = cls()
            return cls._instance

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            if "ready" in message:
                self._ready.set()
            elif "pid" in message:
                self._pids.put(int(message["pid"]))
            elif "exit" in message:
                self.exits[int(message["exit"])] = int(message["code"])
        self._ready.set()

    def _spawn(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> int:
        with self._spawn_lock:
            if not self._ready.wait(START_TIMEOUT) or not self.alive():
                raise RuntimeError(f"the service fork server did not start (exit {self.proc.poll()})")
            assert self.proc.stdin is not None
            request = {"argv": argv, "env": env, "cwd": str(cwd), "log": str(log)}
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            return self._pids.get(timeout=START_TIMEOUT)

    async def spawn(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> ForkedProcess:
        return ForkedProcess(self, await asyncio.to_thread(self._spawn, argv, env, cwd, log))
