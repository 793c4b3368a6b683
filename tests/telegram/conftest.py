"""The whole service against the fake Bot API server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.composition import Services
from db.directory import add_staff, update_kelurahan
from tests.fakes.telegram_api import FakeTelegram
from tests.support.service import RunningService
from tests.telegram.driver import Resident, Staff

GROUP = -1001234567
STAFF_ID = 7001
RESIDENT_ID = 5001
FAST = {"telegram_chat_interval": 0.0, "telegram_group_interval": 0.0, "telegram_polling_timeout": 2,
        "outbox_poll_interval": 0.02}


@dataclass
class World:
    tg: FakeTelegram
    service: RunningService

    @property
    def services(self) -> Services:
        assert self.service.services is not None
        return self.service.services

    def resident(self, user_id: int = RESIDENT_ID) -> Resident:
        return Resident(self.tg, self.services, user_id)

    def staff(self, user_id: int = STAFF_ID) -> Staff:
        return Staff(self.tg, self.services, user_id, GROUP)


async def register(services: Services) -> None:
    await update_kelurahan(services.sessions, "bukit-tunggal", telegram_chat_id=GROUP)
    await add_staff(services.sessions, "bukit-tunggal", name="Rina (operator)", role="operator",
                    telegram_user_id=STAFF_ID)


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    async with FakeTelegram(token="123456:TEST") as tg:
        service = RunningService(tmp_path / "data", db_url, TELEGRAM_BOT_TOKEN=tg.token,
                                 TELEGRAM_API_BASE=tg.base_url, **FAST)
        await service.start()
        assert service.services is not None
        await register(service.services)
        try:
            yield World(tg, service)
        finally:
            await service.stop()
