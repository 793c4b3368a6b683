"""The composition root builds the Telegram channel when its token is set, and the app mounts
its webhook only in webhook mode. No Bot API call is made here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from bot.composition import Services, build_services
from bot.web import create_app
from config.settings import Settings, StorageSettings, TelegramSettings


def settings(tmp_path: Path, **telegram: Any) -> Settings:
    return Settings(_env_file=None, storage=StorageSettings(data_dir=tmp_path / "data"),
                    telegram=TelegramSettings(_env_file=None, **telegram))


async def post_webhook(services: Services, **headers: str) -> int:
    """The status of a POST to the webhook path (the app's lifespan, which calls the Bot API, is not run)."""
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return (await client.post("/webhooks/telegram", json={"update_id": 1}, headers=headers)).status_code


async def test_without_a_token_there_is_no_telegram(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path))
    try:
        assert services.telegram is None
        assert await post_webhook(services) == 404
    finally:
        await services.aclose()


async def test_polling_mode_builds_the_runtime_and_mounts_no_webhook(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path, bot_token="123456:TEST"))
    try:
        assert services.telegram is not None
        services.outbox_signal.fire()  # the composition root subscribed the sender to committed outbox rows
        assert services.senders["telegram"].wakeup.is_set()
        rate = services.telegram.rate  # Telegram's limits; its groups (negative ids) are spaced wider
        assert rate is not None and rate.is_group("-1001234567") and not rate.is_group("5001")
        assert (rate.per_chat, rate.per_group, rate.global_per_second) == (1.0, 3.0, 30.0)
        assert await post_webhook(services) == 404
    finally:
        await services.aclose()


async def test_webhook_mode_mounts_the_webhook_at_the_public_url(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path, bot_token="123456:TEST", mode="webhook", webhook_secret="s3cret"))
    try:
        assert services.telegram is not None
        assert services.telegram.webhook_url == "http://127.0.0.1:8000/webhooks/telegram"
        assert await post_webhook(services) == 403
        assert await post_webhook(services, **{"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
    finally:
        await services.aclose()
