"""The whole service against the fake Bot API server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.support.telegram import World, running_world


@pytest.fixture
async def world(tmp_path: Path, db_url: str) -> AsyncIterator[World]:
    async with FakeTelegram(token="123456:TEST") as tg:
        async with running_world(tg, tmp_path / "data", db_url) as world:
            yield world
