"""Fakes of external services (Telegram Bot API, ...) that tests run on loopback ports."""

from tests.fakes.telegram_api import Call, FakeTelegram, SentFile, WaitTimeout

__all__ = ["Call", "FakeTelegram", "SentFile", "WaitTimeout"]
