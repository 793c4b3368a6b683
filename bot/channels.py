"""The seam every channel plugs into (the web chat, Telegram, WhatsApp, ...).

A channel is an adapter over the same services: it turns what arrives on its platform into the
engine's inbound messages (through the inbox, `db.inbox` + `bot.inbox_worker`, or directly for the
web chat), renders the outbound vocabulary (`db.outbound`) for its platform, and says where a
kelurahan's moderation messages go on it. Staff are identified by (channel name, their id on the
platform) in the `staff_identity` table (`db.identities`); residents by (channel name, chat id).

The composition root (`bot.composition`) lists the channel factories, one line each; a factory
returns None when its channel is not configured. Domain code (`lifecycle/`, `moderation/`,
`conversation/`, `flows/`) never names a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import RatePolicy, Worker
from db.models import Kelurahan, OutboxMessage
from db.outbound import Outbound

if TYPE_CHECKING:
    from bot.composition import Services


class Channel(Protocol):
    name: str  # its key in the outbox, the inbox, residents, conversations and staff identities
    label: str  # how staff see it on a request card ("WhatsApp")
    rate: RatePolicy | None  # None: the channel takes its outbox rows itself (the web chat's browser polls)

    def router(self) -> APIRouter:
        """Its inbound routes (webhooks, pages); may be empty."""
        ...

    async def deliver(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        """Send one outbox row (`message` is its parsed payload); the result is stored with the row.
        Raises `bot.delivery.RetryLater` or `PermanentFailure` as the platform answers."""
        ...

    async def moderation_chats(self, session: AsyncSession, kel: Kelurahan) -> list[str]:
        """The chat ids of this kelurahan's moderation chats on this channel (none: it hosts no moderation)."""
        ...

    async def start(self) -> list[Worker]:
        """Set the platform up (webhooks, commands); the workers to run for the app's lifetime, its
        outbox sender excepted (the composition root runs one for every channel with a `rate`)."""
        ...

    async def stop(self) -> None:
        """Let the updates being handled finish (the app then cancels the workers)."""
        ...

    async def close(self) -> None:
        """Release the platform's HTTP session."""
        ...


class WithoutWorkers:
    """The lifecycle of a channel served by the app's own routes: no workers, nothing to stop or close
    (the web chat, the staff desk)."""

    async def start(self) -> list[Worker]:
        return []

    async def stop(self) -> None:
        return None

    async def close(self) -> None:
        return None


# Builds a channel over the services (settings included), or None when it is not configured.
ChannelFactory = Callable[["Services"], "Channel | None"]
