"""The issuing stack over a test database, without the web app: the lifecycle, a letter maker with its
kit (keys, CA), `Issuing`, and a client of the verification router reading the same database (as the service
reads it: `DirectReads` on connections of their own; `aclose()` closes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.direct_reads import DirectReads
from flows import load_catalogue
from letters.maker import CatalogueLetterMaker
from lifecycle.issuing import Issuing
from lifecycle.service import RequestLifecycle
from tests.support.letters import Kit, make_kit
from tests.support.lifecycle import FixedClock
from verification.db_source import DbRecordSource
from verification.router import create_verification_router
from verification.subjects import subjects_of

CATALOGUE = load_catalogue()


@dataclass
class IssuingStack:
    lifecycle: RequestLifecycle
    kit: Kit
    maker: CatalogueLetterMaker
    issuing: Issuing
    client: httpx.AsyncClient  # the verification router (/v/...), over the same database
    source: DbRecordSource

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.source.aclose()


def issuing_stack(sessions: async_sessionmaker[AsyncSession], tmp_path: Path, clock: FixedClock) -> IssuingStack:
    """`aclose()` when done."""
    lifecycle = RequestLifecycle(sessions, classification={t.code: t.classification_code for t in CATALOGUE},
                                 service_days={t.code: t.sla_days for t in CATALOGUE},
                                 clock=clock)
    kit = make_kit(tmp_path)
    maker = CatalogueLetterMaker(kit.maker, CATALOGUE, "Palangka Raya")
    issuing = Issuing(lifecycle, maker, kit.settings.storage.letters_dir)
    engine = sessions.kw["bind"]
    source = DbRecordSource(sessions, {t.code: t.title for t in CATALOGUE}, subjects_of(CATALOGUE),
                            DirectReads.for_engine(engine))
    app = FastAPI()
    app.include_router(create_verification_router(source, kit.keystore, kit.validator, kit.settings, clock=clock))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return IssuingStack(lifecycle, kit, maker, issuing, client, source)
