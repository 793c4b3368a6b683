"""A service on a test database with a clock the test moves, and a resident who books a visit by chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

import flows
from bot.composition import Services
from db.models import Kelurahan, OutboxMessage, VisitBooking, VisitSchedule
from tests.support.lifecycle import FixedClock

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sunday 22 November 2026, 09.00 WIB
MONDAY = date(2026, 11, 23)
MONDAY_8 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08.00 WIB


@dataclass
class World:
    services: Services
    clock: FixedClock

    async def say(self, chat_id: str, *messages: str | flows.Inbound) -> None:
        for message in messages:
            inbound = flows.Text(text=message) if isinstance(message, str) else message
            assert await self.services.conversation.handle("web", chat_id, inbound)

    async def to_slots(self, chat_id: str, slug: str = "menteng", day: date = MONDAY) -> None:
        """Greeting, consent, kelurahan, Ahli Waris, the day: the times are offered."""
        await self.say(chat_id, "halo", "ya", slug, "ahli waris", flows.ChoiceMade(value=day.isoformat()))

    async def pick(self, chat_id: str, start: datetime) -> None:
        value = start.astimezone(flows.dates.WIB).strftime("%Y-%m-%dT%H:%M")
        await self.say(chat_id, flows.ChoiceMade(value=value))

    async def texts(self, chat_id: str) -> list[str]:
        async with self.services.sessions() as s:
            rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
                                   .order_by(OutboxMessage.id))
            return [str(r.payload.get("text", "")) for r in rows]

    async def last(self, chat_id: str) -> str:
        return (await self.texts(chat_id))[-1]

    async def bookings(self) -> list[VisitBooking]:
        async with self.services.sessions() as s:
            return list(await s.scalars(select(VisitBooking).order_by(VisitBooking.id)))

    async def kelurahan_id(self, slug: str = "menteng") -> int:
        async with self.services.sessions() as s:
            kel_id = await s.scalar(select(Kelurahan.id).where(Kelurahan.slug == slug))
            assert kel_id is not None
            return kel_id

    async def capacity(self, n: int, slug: str = "menteng", weekday: int = 0) -> None:
        """Monday 08.00-09.00 only, `n` places a slot."""
        kel_id = await self.kelurahan_id(slug)
        async with self.services.sessions.begin() as s:
            s.add(VisitSchedule(kelurahan_id=kel_id, weekday=weekday, open_minute=8 * 60, close_minute=9 * 60,
                                slot_minutes=30, capacity=n))
