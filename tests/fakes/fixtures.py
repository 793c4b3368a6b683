"""pytest fixtures for the fake Telegram; import them into a conftest.py:

    from tests.fakes.fixtures import fake_telegram, telegram_bot  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram on a loopback port, stopped after the test."""
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture
async def telegram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Any]:
    """A real aiogram Bot whose session targets fake_telegram."""
    bot = fake_telegram.make_bot()
    yield bot
    await bot.session.close()
