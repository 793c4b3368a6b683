"""Long polling that never confirms an update it has not stored: `getUpdates(offset)` returns a batch,
the batch is stored in the inbox in one transaction, and only then does the offset move past it (the
next `getUpdates` with offset = last + 1 is what tells Telegram they arrived). With the database
unreachable the offset stays, and polling pauses with capped exponential backoff; Telegram keeps the
updates meanwhile. Updates are fetched raw, so one that aiogram cannot parse does not stall polling:
it is stored as it came and given up by the inbox worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import TelegramMethod
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.updates import CHANNEL, received, update_id_of
from db.health import Backoff, is_unavailable, keep_running
from db.inbox import store
from lifecycle.service import Clock


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates whose result is left as JSON objects (aiogram's GetUpdates parses the whole batch)."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def telegram_unreachable(error: BaseException) -> bool:
    """The Bot API failed in a way that waiting may cure (network, 5xx, 429, a conflicting poller)."""
    return isinstance(error, TelegramAPIError) and not isinstance(error, TelegramUnauthorizedError)


class TelegramPoller:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, timeout: int,
                 allowed_updates: list[str] | None, commands: list[BotCommand], stored: Callable[[], None],
                 backoff: Backoff | None = None) -> None:
        self.bot, self.sessions, self.clock = bot, sessions, clock
        self.timeout, self.allowed_updates, self.commands = timeout, allowed_updates, commands
        self.stored = stored  # called after a batch was committed (wakes the inbox worker)
        self.backoff = backoff if backoff is not None else Backoff(first=0.5, cap=30.0)
        self.offset: int | None = None  # None: from the earliest update Telegram holds for us
        self._ready = False

    async def run_forever(self) -> None:
        await keep_running(self.poll_once, worker="telegram polling", backoff=self.backoff,
                           unreachable={"Telegram Bot API": telegram_unreachable, "database": is_unavailable})

    async def poll_once(self) -> bool:
        """One long poll: fetch, store, advance. Raises (offset unchanged) when either side fails."""
        if not self._ready:
            await self.bot.delete_webhook(drop_pending_updates=False)
            await self.bot.set_my_commands(self.commands)
            self._ready = True
        request_timeout = int(self.bot.session.timeout + self.timeout)
        batch = await self.bot(GetRawUpdates(offset=self.offset, timeout=self.timeout,
                                             allowed_updates=self.allowed_updates), request_timeout=request_timeout)
        ids = [i for i in (update_id_of(raw) for raw in batch) if i is not None]
        items = [item for item in (received(raw) for raw in batch) if item is not None]
        if items:
            async with self.sessions.begin() as session:
                await store(session, CHANNEL, items, self.clock())
            self.stored()
        if ids:
            self.offset = max(ids) + 1
        return True
