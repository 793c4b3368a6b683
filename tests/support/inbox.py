"""The Telegram inbox seen from tests: waiting until updates were handled, reading their rows, and
posting updates to the service's webhook the way Telegram does (retrying until it answers 200)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import InboundUpdate, OutboxMessage

SECRET = "s3cret-token"
PUBLIC_URL = "https://esurat.palangkaraya.example"  # the fake accepts https webhooks only
WEBHOOK = {"mode": "webhook", "webhook_secret": SECRET}


async def rows(sessions: async_sessionmaker[AsyncSession], update_ids: Iterable[int]) -> dict[int, InboundUpdate]:
    """The inbox rows of these Telegram updates, by update id (missing: not stored)."""
    wanted = [str(i) for i in update_ids]
    async with sessions() as s:
        found = await s.scalars(select(InboundUpdate).where(InboundUpdate.channel == "telegram",
                                                            InboundUpdate.update_id.in_(wanted)))
        return {int(r.update_id): r for r in found}


async def handled(sessions: async_sessionmaker[AsyncSession], updates: Iterable[dict[str, Any] | int],
                  timeout: float = 30.0) -> dict[int, InboundUpdate]:  # noqa: ASYNC109 - polls a condition
    """Wait until every update is stored and no longer pending, and the Telegram outbox is drained."""
    ids = [u if isinstance(u, int) else u["update_id"] for u in updates]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await rows(sessions, ids)
        async with sessions() as s:
            unsent = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.status == "pending"))
        if len(found) == len(ids) and all(r.status != "pending" for r in found.values()) and not unsent:
            return found
        if loop.time() > deadline:
            state = {i: (found[i].status, found[i].attempts) if i in found else "not stored" for i in ids}
            raise AssertionError(f"not handled within {timeout}s: {state}; unsent outbox rows: {unsent}")
        await asyncio.sleep(0.02)


class Webhook:
    """Posts updates to the service's webhook with the secret token, as Telegram does."""

    def __init__(self, base_url: str, secret: str = SECRET) -> None:
        self.url = f"{base_url}/webhooks/telegram"
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.statuses: list[int] = []

    async def post(self, update: dict[str, Any] | None = None, *, content: bytes | None = None) -> int:
        async with httpx.AsyncClient(timeout=20) as client:
            if content is not None:
                response = await client.post(self.url, content=content, headers=self.headers)
            else:
                response = await client.post(self.url, json=update, headers=self.headers)
        self.statuses.append(response.status_code)
        return response.status_code

    async def deliver(self, update: dict[str, Any], *, every: float = 0.2, timeout: float = 60.0) -> int:  # noqa: ASYNC109
        """Post until the service answers 200 (Telegram retries a failed delivery); the number of posts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        posts = 0
        while True:
            posts += 1
            status = await self.post(update)
            if status == 200:
                return posts
            assert status == 503, f"update {update['update_id']}: {status}"
            if loop.time() > deadline:
                raise AssertionError(f"update {update['update_id']} not accepted within {timeout}s")
            await asyncio.sleep(every)
