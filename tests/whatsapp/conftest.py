from tests.fakes.whatsapp_fixtures import fake_whatsapp, whatsapp_client  # noqa: F401
