from __future__ import annotations

import pytest
from pydantic import SecretStr

from config.settings import WhatsAppSettings
from tests.fakes.whatsapp_api import FakeWhatsApp
from tests.fakes.whatsapp_fixtures import fake_whatsapp, whatsapp_client  # noqa: F401


@pytest.fixture
def whatsapp_settings(fake_whatsapp: FakeWhatsApp) -> WhatsAppSettings:  # noqa: F811
    """WhatsApp settings pointing at the fake Graph API (its token, phone number id and app secret)."""
    return WhatsAppSettings(token=SecretStr(fake_whatsapp.token), phone_number_id=fake_whatsapp.phone_number_id,
                            app_secret=SecretStr(fake_whatsapp.app_secret), verify_token=SecretStr("verify-token"),
                            api_base=fake_whatsapp.base_url, request_timeout=5.0, chat_interval=0.0,
                            global_per_second=1000.0)
