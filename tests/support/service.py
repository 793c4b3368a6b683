"""Run the whole e-surat service (FastAPI app + its workers) in the test's event loop, on a
free loopback port, the way `esurat run` does; stop and start it again to test restarts."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import HttpSettings, Settings, StorageSettings, TelegramSettings
from lifecycle.service import Clock, utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]  # (host, port) for AF_INET
        return port


class _Server(uvicorn.Server):
    """uvicorn in the test's event loop: signals (Ctrl-C) stay with pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class RunningService:
    """`settings` are the top-level ones (e.g. `outbox_poll_interval`); Telegram is on when `telegram` has a token."""

    def __init__(self, data_dir: Path, database_url: str, *, clock: Clock = utcnow, public_url: str | None = None,
                 telegram: TelegramSettings | None = None, **settings: Any) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(
            _env_file=None, http=HttpSettings(port=self.port, public_url=public_url or self.base_url),
            storage=StorageSettings(data_dir=data_dir, database_url=database_url),
            telegram=telegram if telegram is not None else TelegramSettings(), **settings,
        )
        self.clock = clock
        self.services: Services | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Services:
        self.services = build_services(self.settings, clock=self.clock)
        app = create_app(self.services)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task
            await asyncio.sleep(0.01)
        return self.services

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, 20)
        self._server = self._task = None

    async def restart(self) -> Services:
        await self.stop()
        return await self.start()

    async def __aenter__(self) -> RunningService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
