"""Run the whole e-surat service (FastAPI app + its workers) in the test's event loop, on a
free loopback port, the way `esurat run` does; stop and start it again to test restarts."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import uvicorn

from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import Settings
from lifecycle.service import Clock, utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningService:
    def __init__(self, data_dir: Path, database_url: str, *, clock: Clock = utcnow, **settings: Any) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        defaults: dict[str, Any] = {"public_url": self.base_url, "http_port": self.port}
        self.settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url,
                                 **{**defaults, **settings})
        self.clock = clock
        self.services: Services | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Services:
        self.services = build_services(self.settings, clock=self.clock)
        app = create_app(self.services)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
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
