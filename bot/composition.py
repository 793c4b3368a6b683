"""The composition root: builds every service once from the Settings and wires them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config.settings import Settings
from db.engine import make_engine, make_sessionmaker
from lifecycle.service import Clock, RequestLifecycle, utcnow


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    lifecycle: RequestLifecycle
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)

    async def aclose(self) -> None:
        await self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock = utcnow) -> Services:
    settings.ensure_dirs()
    engine = make_engine(settings.effective_database_url)
    sessions = make_sessionmaker(engine)
    from flows import load_catalogue

    catalogue = load_catalogue()
    classification = {t.code: t.classification_code for t in catalogue.types}
    lifecycle = RequestLifecycle(sessions, classification=classification, clock=clock)
    return Services(settings, engine, sessions, lifecycle, clock, {"catalogue": catalogue})
