from tests.fakes.fixtures import fake_telegram, telegram_bot  # noqa: F401
