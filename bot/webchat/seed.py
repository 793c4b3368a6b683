"""Demo data for `esurat demo`: two demo staff members per kelurahan, clearly marked: an operator (the staff
pane of /demo and the demo console) and a Lurah (who approves in two-step kelurahan, at /desk/demo).

Idempotent: a kelurahan that already has an active demo staff member of a role is left alone for that role
(but for its web identity, `demo_web_login`, given if missing: the migration to `staff_identity` kept one
shared "demo").
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
DEMO_LURAH_NAME = "Lurah Demo (data contoh)"
DEMO_WEB_LOGIN = "demo"
OPERATOR, LURAH = "operator", "lurah"
DEMO_NAMES = {OPERATOR: DEMO_STAFF_NAME, LURAH: DEMO_LURAH_NAME}  # the demo roles, in the order offered


def demo_web_login(slug: str, role: str = OPERATOR) -> str:
    """A demo staff member's identity on the web channel (one per kelurahan and role: identities are unique)."""
    return f"{DEMO_WEB_LOGIN}@{slug}" if role == OPERATOR else f"{DEMO_WEB_LOGIN}-{role}@{slug}"


async def seed_demo_staff(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Add the demo operator and the demo Lurah of every kelurahan that lacks them; the number added."""
    async with sessions.begin() as s:
        have: set[tuple[int, str]] = set()
        for staff, slug in (await s.execute(
            select(Staff, Kelurahan.slug).join(Kelurahan, Kelurahan.id == Staff.kelurahan_id)
            .where(Staff.demo.is_(True), Staff.active.is_(True), Staff.role.in_(DEMO_NAMES)).order_by(Staff.id)
        )):
            if (staff.kelurahan_id, staff.role) in have:
                continue
            have.add((staff.kelurahan_id, staff.role))
            if (await staff_identities(s, staff.id)).get("web") != demo_web_login(slug, staff.role):
                await set_staff_identity(s, staff.id, "web", demo_web_login(slug, staff.role))
    added = 0
    for kel in await list_kelurahan(sessions):
        for role, name in DEMO_NAMES.items():
            if (kel.id, role) not in have:
                await add_staff(sessions, kel.slug, name=name, role=role, demo=True,
                                identities={"web": demo_web_login(kel.slug, role)})
                added += 1
    return added


async def demo_staff_of(session: AsyncSession, slug: str, role: str = OPERATOR) -> tuple[Kelurahan, Staff] | None:
    """The kelurahan `slug` and its demo staff member of `role`, or None (unknown slug, no such demo staff)."""
    kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
    if kel is None or role not in DEMO_NAMES:
        return None
    staff = await session.scalar(
        select(Staff).where(Staff.kelurahan_id == kel.id, Staff.demo.is_(True), Staff.active.is_(True),
                            Staff.role == role)
        .order_by(Staff.id).limit(1)
    )
    return (kel, staff) if staff is not None else None


def seed_demo(settings: Settings) -> int:
    """Seed the demo staff on the settings' database (outside an event loop, after migrations)."""

    return run_with_sessions(settings.storage.effective_database_url, seed_demo_staff)
