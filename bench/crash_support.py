"""The crash-safety harness: the whole service as a subprocess (`esurat run`) talking to the fake Bot
API server that runs here, with the simulated residents and staff, in this (separate) process; the
`ServiceProcess` is killed with SIGKILL and started again as often as a run asks.

Used by bench/bench_crash.py (the figures) and tests/reliability/test_crash.py (a shorter run in
`make test`). The people are in bench/crash_people.py, the checks in bench/crash_checks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.telegram_load_support import LoadFake, Observer
from db.models import LetterRequest, OutboxMessage, Resident

ESURAT = Path(sys.executable).with_name("esurat")
TOKEN = "123456:CRASHTEST"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WEBHOOK_SECRET = "crash-test-secret"
PUBLIC_WEBHOOK_BASE = "https://esurat.palangkaraya.example"  # what the service registers with setWebhook


@dataclass
class ServiceConfig:
    data_dir: Path
    database_url: str
    api_base: str
    request_timeout: float = 3.0  # seconds: a send without an answer by then is uncertain
    polling_timeout: int = 1
    mode: str = "polling"  # or "webhook": the harness's WebhookPusher posts the updates
    port: int = field(default_factory=free_port)
    # True: each start forks a process that already imported the service's modules (`Zygote`) and runs
    # `esurat run` in it (the same code, arguments, environment; killed the same way), instead of exec'ing
    # the `esurat` script, which spends 2-4 s of CPU importing first. The tests use it; the benchmark does not.
    preload: bool = False

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("ESURAT_", "TELEGRAM_"))}
        public = PUBLIC_WEBHOOK_BASE  # with a bot on, a loopback public URL refuses to start (polling mode too)
        webhook = {"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}
        if self.mode != "webhook":
            webhook = {}
        return {**keep, **webhook, "ESURAT_DATA_DIR": str(self.data_dir), "ESURAT_DATABASE_URL": self.database_url,
                "ESURAT_HTTP_PORT": str(self.port), "ESURAT_PUBLIC_URL": public,
                "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": self.api_base,
                "ESURAT_TELEGRAM_CHAT_INTERVAL": "0", "ESURAT_TELEGRAM_GROUP_INTERVAL": "0",
                "ESURAT_TELEGRAM_GLOBAL_PER_SECOND": "1000000",
                "ESURAT_TELEGRAM_POLLING_TIMEOUT": str(self.polling_timeout),
                "ESURAT_TELEGRAM_REQUEST_TIMEOUT": str(self.request_timeout),
                # a whole delivery's limit (once follow-ups are merged) stays above one call's and a probe's
                "ESURAT_OUTBOX_SEND_TIMEOUT": str(max(60.0, 20 * self.request_timeout)),
                "ESURAT_OUTBOX_POLL_INTERVAL": "0.05", "PYTHONUNBUFFERED": "1"}


class ServiceProcess:
    """`esurat run` in a subprocess; its output goes to data_dir/../service-<n>.log."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.proc: asyncio.subprocess.Process | ForkedProcess | None = None
        self.starts = 0
        self.kills = 0
        self.start_seconds: list[float] = []
        self.kill_times: list[float] = []  # time.monotonic() of each kill
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    async def start(self) -> float:
        """Start and wait until /healthz answers; the seconds that took."""
        t0 = time.monotonic()
        log = self.config.data_dir.parent / f"service-{self.starts}.log"
        self.logs.append(log)
        if self.config.preload:
            self.proc = await Zygote.get().spawn(["run"], self.config.env(), self.config.data_dir.parent, log)
        else:
            with log.open("wb") as out:  # noqa: ASYNC230 - opening a local log file does not block
                self.proc = await asyncio.create_subprocess_exec(
                    str(ESURAT), "run", env=self.config.env(), cwd=str(self.config.data_dir.parent),
                    stdout=out, stderr=asyncio.subprocess.STDOUT)
        self.starts += 1
        async with aiohttp.ClientSession() as http:
            while time.monotonic() - t0 < START_TIMEOUT:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"esurat run exited with {self.proc.returncode}:\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            took = time.monotonic() - t0
                            self.start_seconds.append(took)
                            return took
                await asyncio.sleep(0.05)
        raise RuntimeError(f"esurat run not ready after {START_TIMEOUT}s:\n{self.log_tail()}")

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, open transactions and requests are cut."""
        if self.proc is None or self.proc.returncode is not None:
            return
        self.kill_times.append(time.monotonic())
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            await self.kill()

    def log_tail(self, lines: int = 30) -> str:
        if not self.logs or not self.logs[-1].exists():
            return ""
        return "\n".join(self.logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def tracebacks(self) -> int:
        return sum(p.read_text(errors="replace").count("Traceback") for p in self.logs if p.exists())


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
    """One fork server (bench/service_zygote.py) per test process, started at the first preloaded start
    and ended (with any child still running) when this process exits or closes its pipe."""

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


class CrashFake(LoadFake):
    """LoadFake with waits that give up quietly (the harness counts what never came), and webhook delivery."""

    def confirm_one(self, update_id: int) -> None:
        """The webhook answered 200 for this update: Telegram forgets it."""
        self._updates = [e for e in self._updates if e.update_id != update_id]
        self.confirmed_update_ids.add(update_id)
        self._changed()

    async def sends_reach(self, chat_id: int, n: int, timeout: float) -> bool:  # noqa: ASYNC109
        with contextlib.suppress(AssertionError, TimeoutError):
            await asyncio.wait_for(self.sent_at_least(chat_id, n), timeout)
            return True
        return self.sends(chat_id) >= n

    def group_cards(self, group: int) -> list[dict[str, Any]]:
        """The bot's request cards in the group as they are now (edits applied)."""
        return [m for m in self.bot_messages(group) if (m.get("text") or "").startswith("Permohonan ")]


class CrashObserver(Observer):
    """The harness's own reads of the service's database."""

    async def chat_pending(self, chat_id: int) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id),
                OutboxMessage.status == "pending")) or 0)

    async def request_of(self, chat_id: int) -> tuple[int, str] | None:
        """(id, status) of the resident's latest request."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(LetterRequest.id, LetterRequest.status).join(Resident, Resident.id == LetterRequest.resident_id)
                .where(Resident.channel == "telegram", Resident.external_id == str(chat_id))
                .order_by(LetterRequest.id.desc()).limit(1))).first()
        return (int(row[0]), str(row[1])) if row else None


class Triggers:
    """Moments the killer can aim at, fired by the people and by the fake's call observer."""

    KINDS = ("random", "mid-conversation", "mid-send", "mid-approval", "mid-issue")

    def __init__(self) -> None:
        self._events = {k: asyncio.Event() for k in self.KINDS}

    def fire(self, kind: str) -> None:
        self._events[kind].set()

    async def wait(self, kind: str, timeout: float) -> bool:  # noqa: ASYNC109
        event = self._events[kind]
        event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
            return True
        return False

    def observe(self, method: str, params: dict[str, Any]) -> None:
        """FakeTelegram call observer: a send to a resident is "mid-send"; the answer to an approval press
        ("Disetujui; surat sedang diterbitkan") comes as the letter is being made: "mid-issue"."""
        chat = params.get("chat_id")
        if method in ("sendMessage", "sendDocument") and isinstance(chat, int) and chat > 0:
            self.fire("mid-send")
        if method == "answerCallbackQuery" and "Disetujui" in str(params.get("text") or ""):
            self.fire("mid-issue")


@dataclass
class KillLog:
    kinds: Counter[str] = field(default_factory=Counter)
    missed: int = 0  # aimed at a moment that did not come in time: killed at a random moment instead
    restart_s: list[float] = field(default_factory=list)


class Killer:
    """SIGKILLs the service `kills` times at random moments (aimed at one of Triggers.KINDS), restarting it
    after each; `spacing` seconds of normal running between a restart and the next kill."""

    def __init__(self, service: ServiceProcess, triggers: Triggers, rng: random.Random, kills: int,
                 spacing: tuple[float, float] = (0.5, 2.0)) -> None:
        self.service, self.triggers, self.rng = service, triggers, rng
        self.kills, self.spacing = kills, spacing
        self.aim_timeout = 2.5  # seconds to wait for the moment aimed at before killing at a random one
        self.log = KillLog()
        self.done = asyncio.Event()

    async def run(self, until: float | None = None) -> None:
        """Kill `kills` times, or until time.monotonic() passes `until`."""
        try:
            for _ in range(self.kills):
                if until is not None and time.monotonic() > until:
                    break
                await asyncio.sleep(self.rng.uniform(*self.spacing))
                kind = self.rng.choice(Triggers.KINDS)
                aim = self.aim_timeout * (3 if kind in ("mid-approval", "mid-issue") else 1)  # rarer moments
                if kind != "random" and not await self.triggers.wait(kind, timeout=aim):
                    self.log.missed += 1
                    kind = "random"
                # somewhere in handling the answer / the press; while the PDF is made and stored
                delay = {"mid-conversation": (0.0, 0.3), "mid-approval": (0.0, 0.3), "mid-issue": (0.0, 0.4)}
                if kind in delay:
                    await asyncio.sleep(self.rng.uniform(*delay[kind]))
                self.log.kinds[kind] += 1
                await self.service.kill()
                await asyncio.sleep(self.rng.uniform(0.0, 0.5))
                self.log.restart_s.append(await self.service.start())
        finally:
            self.done.set()


class WebhookPusher:
    """Telegram's side of webhook mode: posts each queued update to the service's webhook (with the secret
    token) until it answers 200, then forgets it; a refused connection, a cut request or another status is
    retried after `retry_s`, as Telegram retries. Up to `concurrency` updates at once, one per chat."""

    def __init__(self, tg: CrashFake, url: str, *, concurrency: int = 8, retry_s: float = 0.5) -> None:
        self.tg, self.url, self.concurrency, self.retry_s = tg, url, concurrency, retry_s
        self.failures: Counter[str] = Counter()
        self._inflight: set[int] = set()
        self._chats: set[Any] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def _push(self, http: aiohttp.ClientSession, update: dict[str, Any], chat: Any) -> None:
        uid = int(update["update_id"])
        try:
            async with http.post(self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                                 timeout=aiohttp.ClientTimeout(total=30)) as resp:
                if resp.status == 200:
                    self.tg.confirm_one(uid)
                    return
                self.failures[str(resp.status)] += 1
        except (aiohttp.ClientError, TimeoutError) as e:
            self.failures[type(e).__name__] += 1
        finally:
            self._inflight.discard(uid)
            self._chats.discard(chat)
        await asyncio.sleep(self.retry_s)

    async def run(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession() as http:
            while not stop.is_set():
                for update in self.tg.pending_updates:
                    chat = _chat_of(update)
                    uid = int(update["update_id"])
                    if uid in self._inflight or chat in self._chats or len(self._inflight) >= self.concurrency:
                        continue
                    self._inflight.add(uid)
                    self._chats.add(chat)
                    task = asyncio.create_task(self._push(http, update, chat))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                await asyncio.sleep(0.02)
            for task in list(self._tasks):
                task.cancel()


def _chat_of(update: dict[str, Any]) -> Any:
    body = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    return (body.get("chat") or {}).get("id", update["update_id"])
