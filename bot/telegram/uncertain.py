"""Sends that may or may not have reached Telegram, and how the sender resolves them.

The Bot API has no idempotency key, so a send is only safe to repeat when Telegram certainly did
not act on it. The policy:

* **Not sent, retry.** The connection could not be made (refused, DNS, connect timeout): the
  request never left. Telegram answered 429 (after `retry_after`), 5xx or another error: it did
  not act. These are retried as before (`RetryLater`).
* **Uncertain, verify before resending.** The request was written but no answer came (read
  timeout, connection reset or closed before the answer), or the process that had claimed the
  row was killed (`mark_interrupted`, at start-up). The row stays `pending` with `last_error`
  starting `uncertain:`; its next attempt first looks for the message in the chat: every message
  the bot sent to that chat after the last one it knows of (the highest `message_id` among the
  chat's sent outbox rows) can only be an earlier attempt of this very row, because rows of a
  chat are delivered one at a time and in order. The probe edits the ids after that one, up to
  `PROBE_WINDOW`, with the row's own content: "message is not modified" (or a successful edit of
  a bot message there) means the earlier attempt arrived, and the row is marked sent with that
  message id; users' messages, media and ids past the chat's end only answer with an error.
  Nothing found: the earlier attempt did not arrive, and the row is sent again.
* **Edits are idempotent** (the card updates): an uncertain edit is simply repeated; if it had
  arrived, Telegram answers "message is not modified", which counts as delivered.

What remains possible with the real Telegram: message ids in private chats and basic groups are
allotted per bot account, not per chat, so on a busy bot the earlier attempt can lie beyond the
probe window; the row is then resent and the resident may see that message twice (never zero
times). A probe that itself fails (429, timeout) leaves the row uncertain and is retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiohttp import ClientConnectorError, ConnectionTimeoutError
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import UNCERTAIN
from db.models import OutboxMessage

PROBE_WINDOW = 10  # ids after the chat's last known bot message that the probe looks at
NOT_MODIFIED = "message is not modified"
PROBE_RETRIES = 3  # transient failures of one probe call retried in place
PROBE_RETRY_AFTER_MAX = 5  # seconds: a longer 429 pause ends the probe (the row is retried later)


class UncertainSend(Exception):
    """The request was written but no answer came: Telegram may have acted on it."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{UNCERTAIN} {detail}")


def never_sent(error: TelegramNetworkError) -> bool:
    """True when the request certainly did not reach Telegram (no connection was made)."""
    return isinstance(error.__cause__, ClientConnectorError | ConnectionTimeoutError)


def is_uncertain(row: OutboxMessage) -> bool:
    return row.status == "pending" and (row.last_error or "").startswith(UNCERTAIN)


async def mark_interrupted(sessions: async_sessionmaker[AsyncSession], channel: str) -> int:
    """At start-up, before the sender claims anything: rows still claimed were in flight in a process
    that stopped (or in another replica): their send may have happened. Returns how many."""
    async with sessions.begin() as s:
        result = await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending",
                   or_(OutboxMessage.locked_until.is_not(None), OutboxMessage.locked_by.is_not(None)))
            .values(last_error=f"{UNCERTAIN} claimed by a process that stopped")
            .returning(OutboxMessage.id)
        )
        return len(result.all())


async def last_known_message_id(sessions: async_sessionmaker[AsyncSession], row: OutboxMessage) -> int:
    """The highest message id the outbox recorded for the row's chat (0: none yet)."""
    async with sessions() as s:
        results = await s.scalars(select(OutboxMessage.result).where(
            OutboxMessage.channel == row.channel, OutboxMessage.chat_id == row.chat_id,
            OutboxMessage.status == "sent", OutboxMessage.id != row.id,
        ))
        ids = [int(r["message_id"]) for r in results if isinstance(r, dict) and r.get("message_id")]
    return max(ids, default=0)


# Edits message `message_id` to the row's own content; raises as the Bot API call does.
EditProbe = Callable[[int], Awaitable[Any]]


async def _probe_one(message_id: int, edit: EditProbe) -> bool:
    """Is `message_id` the earlier attempt? A transient failure of the probe itself is retried a few
    times here (a probe of ten ids would otherwise rarely finish while Telegram is failing often)."""
    for attempt in range(PROBE_RETRIES + 1):
        try:
            await edit(message_id)
        except TelegramBadRequest as e:
            return NOT_MODIFIED in str(e)  # else: not there, not the bot's, or not a message of this kind
        except TelegramRetryAfter as e:
            if attempt == PROBE_RETRIES or e.retry_after > PROBE_RETRY_AFTER_MAX:
                raise
            await asyncio.sleep(e.retry_after)
        except (TelegramServerError, TelegramNetworkError):
            if attempt == PROBE_RETRIES:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
        else:
            return True  # a bot message past the last known one: the earlier attempt, now as intended
    return False


async def find_earlier_attempt(after: int, edit: EditProbe) -> int | None:
    """The id of an earlier attempt of this row in the chat (see the module docstring), or None."""
    for message_id in range(after + 1, after + 1 + PROBE_WINDOW):
        if await _probe_one(message_id, edit):
            return message_id
    return None
