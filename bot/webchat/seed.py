"""Demo data for `esurat demo`: one demo staff member per kelurahan, clearly marked.

Idempotent: a kelurahan that already has an active demo staff member is left alone (but for its web
identity, `demo_web_login`, given if missing: the migration to `staff_identity` kept one shared "demo").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config.settings import Settings
from db.directory import add_staff, list_kelurahan
from db.engine import run_with_sessions
from db.identities import set_staff_identity, staff_identities
from db.models import Kelurahan, Staff

DEMO_STAFF_NAME = "Petugas Demo (data contoh)"
DEMO_WEB_LOGIN = "demo"


def demo_web_login(slug: str) -> str:
    """The demo staff member's identity on the web channel (one per kelurahan: identities are unique)."""
    return f"{DEMO_WEB_LOGIN}@{slug}"


async def seed_demo_staff(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Add the demo staff member of every kelurahan that has none; the number added."""
    async with sessions.begin() as s:
        have: set[int] = set()
        for staff, slug in (await s.execute(
            select(Staff, Kelurahan.slug).join(Kelurahan, Kelurahan.id == Staff.kelurahan_id)
            .where(Staff.demo.is_(True), Staff.active.is_(True)).order_by(Staff.id)
        )):
            if staff.kelurahan_id in have:
                continue
            have.add(staff.kelurahan_id)
            if (await staff_identities(s, staff.id)).get("web") != demo_web_login(slug):
                await set_staff_identity(s, staff.id, "web", demo_web_login(slug))
    added = 0
    for kel in await list_kelurahan(sessions):
        if kel.id not in have:
            await add_staff(sessions, kel.slug, name=DEMO_STAFF_NAME, role="operator", demo=True,
                            identities={"web": demo_web_login(kel.slug)})
            added += 1
    return added


async def demo_staff_of(session: AsyncSession, slug: str) -> tuple[Kelurahan, Staff] | None:
    """The kelurahan `slug` and its demo staff member, or None (unknown slug or no demo staff)."""
    kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
    if kel is None:
        return None
    staff = await session.scalar(
        select(Staff).where(Staff.kelurahan_id == kel.id, Staff.demo.is_(True), Staff.active.is_(True))
        .order_by(Staff.id).limit(1)
    )
    return (kel, staff) if staff is not None else None


def seed_demo(settings: Settings) -> int:
    """Seed the demo staff on the settings' database (outside an event loop, after migrations)."""

    return run_with_sessions(settings.storage.effective_database_url, seed_demo_staff)
