"""pytest fixtures for the fake WhatsApp Cloud API; import them into a conftest.py:

    from tests.fakes.whatsapp_fixtures import fake_whatsapp, whatsapp_client  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.whatsapp_api import FakeWhatsApp


@pytest.fixture
async def fake_whatsapp() -> AsyncIterator[FakeWhatsApp]:
    """A started FakeWhatsApp on a loopback port (base_url ".../v21.0"), stopped after the test."""
    async with FakeWhatsApp() as wa:
        yield wa


@pytest.fixture
async def whatsapp_client(fake_whatsapp: FakeWhatsApp) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client with the fake's base URL and bearer token."""
    async with fake_whatsapp.make_client() as client:
        yield client
