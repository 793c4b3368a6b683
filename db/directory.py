"""Queries and updates of kelurahan and their staff (used by the CLI, the adapters and the chat)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from db.models import Kelurahan, Staff

ROLES = ("operator", "sekretaris", "lurah")
LETTERHEAD_FIELDS = (
    "name", "address", "phone", "email", "postal_code", "signatory_name", "signatory_title", "signatory_rank",
    "signatory_nip", "signatory_delegated", "numbering_pattern", "unit_code", "telegram_chat_id",
    "whatsapp_group",
)


class DirectoryError(ValueError):
    pass


async def list_kelurahan(sessions: async_sessionmaker[AsyncSession]) -> list[Kelurahan]:
    async with sessions() as s:
        rows = await s.scalars(select(Kelurahan).order_by(Kelurahan.kecamatan, Kelurahan.name))
        return list(rows)


async def load_directory(session: AsyncSession) -> flows.Directory:
    """The engine's directory of kelurahan, from the `kelurahan` table (the seed's order, then those added)."""
    rows = await session.execute(select(Kelurahan.kecamatan, Kelurahan.name, Kelurahan.slug).order_by(Kelurahan.id))
    return flows.Directory(flows.Kelurahan(kecamatan, name, slug) for kecamatan, name, slug in rows)


async def get_kelurahan(session: AsyncSession, slug: str) -> Kelurahan:
    kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
    if kel is None:
        raise DirectoryError(f"Kelurahan tidak dikenal: {slug}")
    return kel


async def update_kelurahan(sessions: async_sessionmaker[AsyncSession], slug: str, **changes: Any) -> Kelurahan:
    unknown = set(changes) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise DirectoryError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}")
    name = changes.get("name")
    if name is not None and not 0 < len(name.strip()) <= 100:
        raise DirectoryError("Nama kelurahan harus diisi (paling banyak 100 karakter)")
        changes["name"] = name.strip()
    nip = changes.get("signatory_nip")
    if nip is not None and not (len(nip) == 18 and nip.isdigit()):
        raise DirectoryError("NIP harus 18 digit angka")
    async with sessions.begin() as s:
        kel = await get_kelurahan(s, slug)
        for key, value in changes.items():
            setattr(kel, key, value)
        if {"signatory_name", "signatory_nip", "address"} & set(changes):
            kel.placeholder = False
        return kel


async def add_staff(
    sessions: async_sessionmaker[AsyncSession], slug: str, *, name: str, role: str,
    telegram_user_id: int | None = None, whatsapp_phone: str | None = None, web_login: str | None = None,
    demo: bool = False,
) -> Staff:
    if role not in ROLES:
        raise DirectoryError(f"Peran harus salah satu dari: {', '.join(ROLES)}")
    async with sessions.begin() as s:
        kel = await get_kelurahan(s, slug)
        staff = Staff(
            kelurahan_id=kel.id, name=name, role=role, telegram_user_id=telegram_user_id,
            whatsapp_phone=whatsapp_phone, web_login=web_login, demo=demo, active=True,
        )
        s.add(staff)
        await s.flush()
        return staff


async def list_staff(sessions: async_sessionmaker[AsyncSession], slug: str) -> list[Staff]:
    async with sessions() as s:
        kel = await get_kelurahan(s, slug)
        return list(await s.scalars(select(Staff).where(Staff.kelurahan_id == kel.id).order_by(Staff.id)))
