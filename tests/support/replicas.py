"""`esurat run` as plain processes ("replicas") talking to a fake Bot API server that runs in the calling
process: the environment a replica reads its settings from, starting one (ready once /readyz answers: the
app has started, registered its webhook and runs its workers) or several over one database and one data
directory, stopping or killing them, their CPU time; and Telegram's side of webhook mode, posting an update
to a replica's webhook with the secret token.

The one home of this for tests/test_replicas.py, bench/bench_telegram_load.py and the crash harness
(bench/crash_support.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from tests.support.service import free_port
from tests.support.zygote import START_TIMEOUT, ForkedProcess, Zygote

ESURAT = Path(sys.executable).with_name("esurat")
TOKEN = "123456:REPLICATEST"
WEBHOOK_SECRET = "replica-test-secret"
PUBLIC_URL = "https://esurat.palangkaraya.example"  # registered with setWebhook; a loopback one refuses to start


@dataclass
class ServiceConfig:
    """One replica's settings: Telegram on the fake at `api_base`, its rate limits off, reminders off."""

    data_dir: Path
    database_url: str
    api_base: str
    token: str = TOKEN
    mode: str = "polling"  # or "webhook": the caller posts the updates (`post_update`)
    request_timeout: float = 3.0  # seconds: a send without an answer by then is uncertain
    polling_timeout: int = 1
    outbox_poll: float = 0.05  # seconds between the outbox sender's polls when idle
    log_level: str = "INFO"
    port: int = field(default_factory=free_port)
    # True: each start forks a process that already imported the service's modules (`tests.support.zygote`) and
    # runs `esurat run` in it (the same code, arguments, environment; killed the same way), instead of exec'ing
    # the `esurat` script, which spends 2-4 s of CPU importing first.
    preload: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # more environment variables

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("ESURAT_", "TELEGRAM_", "WHATSAPP_"))}
        webhook = {"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}
        if self.mode != "webhook":
            webhook = {}
        return {**keep, **webhook, "ESURAT_DATA_DIR": str(self.data_dir), "ESURAT_DATABASE_URL": self.database_url,
                "ESURAT_HTTP_PORT": str(self.port), "ESURAT_PUBLIC_URL": PUBLIC_URL,
                "TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_BASE": self.api_base,
                "ESURAT_TELEGRAM_CHAT_INTERVAL": "0", "ESURAT_TELEGRAM_GROUP_INTERVAL": "0",
                "ESURAT_TELEGRAM_GLOBAL_PER_SECOND": "1000000",
                "ESURAT_TELEGRAM_POLLING_TIMEOUT": str(self.polling_timeout),
                "ESURAT_TELEGRAM_REQUEST_TIMEOUT": str(self.request_timeout),
                # a whole delivery's limit stays above one call's and a probe's
                "ESURAT_OUTBOX_SEND_TIMEOUT": str(max(60.0, 20 * self.request_timeout)),
                "ESURAT_OUTBOX_POLL_INTERVAL": str(self.outbox_poll), "ESURAT_REMINDERS": "false",
                "ESURAT_LOG_LEVEL": self.log_level, "PYTHONUNBUFFERED": "1", **self.extra}


class ServiceProcess:
    """`esurat run` in a subprocess; its output goes to data_dir/../<name>-<n>.log (n: the how-manieth start)."""

    def __init__(self, config: ServiceConfig, name: str = "service") -> None:
        self.config, self.name = config, name
        self.proc: asyncio.subprocess.Process | ForkedProcess | None = None
        self.starts = self.kills = 0
        self.start_seconds: list[float] = []
        self.kill_times: list[float] = []  # time.monotonic() of each kill
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    async def start(self) -> float:
        """Start and wait until /readyz answers 200; the seconds that took."""
        t0 = time.monotonic()
        log = self.config.data_dir.parent / f"{self.name}-{self.starts}.log"
        self.logs.append(log)
        cwd = self.config.data_dir.parent
        if self.config.preload:
            self.proc = await Zygote.get().spawn(["run"], self.config.env(), cwd, log)
        else:
            with log.open("wb") as out:  # noqa: ASYNC230 - opening a local log file does not block
                self.proc = await asyncio.create_subprocess_exec(
                    str(ESURAT), "run", env=self.config.env(), cwd=str(cwd), stdout=out,
                    stderr=asyncio.subprocess.STDOUT)
        self.starts += 1
        await until_ready(f"{self.url}/readyz", self.proc, log)
        took = time.monotonic() - t0
        self.start_seconds.append(took)
        return took

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

    def cpu_seconds(self) -> float:
        """User + system CPU time the running process has used so far."""
        return cpu_seconds(self.pid)

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.logs[-1], lines) if self.logs else ""

    def tracebacks(self) -> int:
        return sum(p.read_text(errors="replace").count("Traceback") for p in self.logs if p.exists())


async def until_ready(url: str, proc: asyncio.subprocess.Process | ForkedProcess, log: Path) -> None:
    """Wait until `url` answers 200 (a process started with its output to `log`); raise if it exits first."""
    t0 = time.monotonic()
    async with aiohttp.ClientSession() as http:
        while time.monotonic() - t0 < START_TIMEOUT:
            if proc.returncode is not None:
                raise RuntimeError(f"{url}: the process exited with {proc.returncode}:\n{tail(log)}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url}: not ready after {START_TIMEOUT}s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (and of its children it waited for), from Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime, stime, cutime, cstime


@contextlib.asynccontextmanager
async def running_replicas(configs: list[ServiceConfig]) -> AsyncIterator[list[ServiceProcess]]:
    """A replica per config over one database and data directory, stopped on leaving. The first starts alone
    (it makes the data directory's keys and CA, which the others then read), then the others at once."""
    replicas = [ServiceProcess(c, name=f"replica-{i}") for i, c in enumerate(configs)]
    try:
        if replicas:
            await replicas[0].start()
        await asyncio.gather(*(r.start() for r in replicas[1:]))
        yield replicas
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))


async def post_update(http: aiohttp.ClientSession, url: str, update: dict[str, Any], *, attempts: int = 20,
                      retry_s: float = 0.2) -> int:
    """Post `update` to a webhook as Telegram does, again after a refused connection or another status than
    200 (up to `attempts` times); the last status (0: no answer)."""
    status = 0
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(retry_s)
        try:
            async with http.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET},
                                 timeout=aiohttp.ClientTimeout(total=30)) as resp:
                status = resp.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if status == 200:
            break
    return status
