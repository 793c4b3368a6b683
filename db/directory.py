"""Queries and updates of kelurahan and their staff (used by the CLI, the adapters and the chat)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import flows
from db.identities import set_moderation_chat, set_staff_identity
from db.letterhead_rules import LABELS, cleaned, staff_fields
from db.models import Kelurahan, ModerationChat, Staff, StaffIdentity

ROLES = ("operator", "sekretaris", "lurah")
LETTERHEAD_FIELDS = (
    "name", "address", "phone", "email", "postal_code", "signatory_name", "signatory_title", "signatory_rank",
    "signatory_nip", "signatory_delegated", "numbering_pattern", "unit_code",
)
# The shorthands of update_kelurahan (the CLI's options): keyword -> channel.
CHAT_KEYWORDS = {"telegram_chat_id": "telegram", "whatsapp_group": "whatsapp"}


class DirectoryError(ValueError):
    pass


async def list_kelurahan(sessions: async_sessionmaker[AsyncSession]) -> list[Kelurahan]:
    async with sessions() as s:
        rows = await s.scalars(select(Kelurahan).order_by(Kelurahan.kecamatan, Kelurahan.name))
        return list(rows)


async def load_directory(session: AsyncSession) -> flows.Directory:
    """The engine's directory of kelurahan, from the `kelurahan` table (the seed's order, then those added)."""
    rows = await session.execute(select(Kelurahan.kecamatan, Kelurahan.name, Kelurahan.slug, Kelurahan.address,
                                        Kelurahan.phone).order_by(Kelurahan.id))
    return flows.Directory(flows.Kelurahan(*row) for row in rows)


async def get_kelurahan(session: AsyncSession, slug: str) -> Kelurahan:
    kel = await session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
    if kel is None:
        raise DirectoryError(f"Kelurahan tidak dikenal: {slug}")
    return kel


async def update_kelurahan(
    sessions: async_sessionmaker[AsyncSession], slug: str, *,
    moderation_chats: Mapping[str, str | int | None] | None = None, **changes: Any,
) -> Kelurahan:
    """Set letterhead fields and moderation chats (channel -> chat id, None removes it; or the
    shorthands `telegram_chat_id=`, `whatsapp_group=`)."""
    chats = {**(moderation_chats or {}),
             **{CHAT_KEYWORDS[k]: changes.pop(k) for k in list(changes) if k in CHAT_KEYWORDS}}
    unknown = set(changes) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise DirectoryError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}")
    changes, problems = cleaned(changes)
    if problems:
        raise DirectoryError(" ".join(f"{LABELS.get(k, k)}: {v}" for k, v in problems.items()))
    async with sessions.begin() as s:
        kel = await get_kelurahan(s, slug)
        for key, value in changes.items():
            setattr(kel, key, value)
        if {"signatory_name", "signatory_nip", "address"} & set(changes):
            kel.placeholder = False
        for channel, chat_id in chats.items():
            await set_moderation_chat(s, kel.id, channel, None if chat_id is None else str(chat_id))
        return kel


async def add_staff(
    sessions: async_sessionmaker[AsyncSession], slug: str, *, name: str, role: str,
    identities: Mapping[str, str | int] | None = None, telegram_user_id: int | None = None,
    whatsapp_phone: str | None = None, web_login: str | None = None, demo: bool = False, rank: str = "",
    nip: str = "",
) -> Staff:
    """Register a staff member with their identities (channel -> their id there; or the shorthands).
    Refused: an identity some staff member already has (active or not), or the name of an active staff
    member of the same kelurahan."""
    shorthands = {"telegram": telegram_user_id, "whatsapp": whatsapp_phone, "web": web_login}
    given = {**{ch: v for ch, v in shorthands.items() if v is not None}, **(identities or {})}
    ids = {channel.strip().lower(): str(external_id).strip() for channel, external_id in given.items()}
    name = name.strip()
    if role not in ROLES:
        raise DirectoryError(f"Peran harus salah satu dari: {', '.join(ROLES)}")
    if not 0 < len(name) <= 100:
        raise DirectoryError("Nama petugas harus diisi (paling banyak 100 karakter)")
    (rank, nip), problems = staff_fields(rank, nip)
    if problems:
        raise DirectoryError(problems)
    async with sessions.begin() as s:
        kel = await get_kelurahan(s, slug)
        for channel, external_id in ids.items():
            await identity_free(s, kel, channel, external_id)
        namesake = await s.scalar(select(Staff).where(
            Staff.kelurahan_id == kel.id, Staff.active.is_(True), func.lower(Staff.name) == name.lower()))
        if namesake is not None:
            raise DirectoryError(f"Petugas bernama {namesake.name} sudah terdaftar di Kelurahan {kel.name} "
                                 f"(#{namesake.id}); bila orangnya lain, beri nama yang membedakan")
        staff = Staff(kelurahan_id=kel.id, name=name, role=role, demo=demo, active=True, rank=rank, nip=nip)
        s.add(staff)
        await s.flush()
        for channel, external_id in ids.items():
            await set_staff_identity(s, staff.id, channel, external_id)
        return staff


async def identity_free(session: AsyncSession, kel: Kelurahan, channel: str, external_id: str) -> None:
    """Raise DirectoryError, naming who has it, if a staff member is already `external_id` on `channel`."""
    row = (await session.execute(
        select(Staff, Kelurahan.name).join(StaffIdentity, StaffIdentity.staff_id == Staff.id)
        .join(Kelurahan, Kelurahan.id == Staff.kelurahan_id)
        .where(StaffIdentity.channel == channel, StaffIdentity.external_id == external_id))).first()
    if row is None:
        return
    holder, kelurahan_name = row
    who = f"#{holder.id} {holder.name}{'' if holder.active else ' (nonaktif)'}"
    if holder.kelurahan_id == kel.id:
        raise DirectoryError(f"Akun {channel} {external_id} sudah terdaftar di Kelurahan {kel.name} sebagai "
                             f"petugas {who}; petugas yang sama tidak ditambahkan dua kali")
    raise DirectoryError(f"Akun {channel} {external_id} sudah dipakai petugas {who} di Kelurahan "
                         f"{kelurahan_name}; satu akun hanya untuk satu petugas")


async def list_staff(sessions: async_sessionmaker[AsyncSession], slug: str) -> list[Staff]:
    async with sessions() as s:
        kel = await get_kelurahan(s, slug)
        return list(await s.scalars(select(Staff).where(Staff.kelurahan_id == kel.id).order_by(Staff.id)))


async def moderation_chats_by_kelurahan(sessions: async_sessionmaker[AsyncSession]) -> dict[int, list[tuple[str, str]]]:
    """Every kelurahan's moderation chats: kelurahan id -> [(channel, chat id)]."""
    async with sessions() as s:
        rows = await s.execute(select(ModerationChat.kelurahan_id, ModerationChat.channel, ModerationChat.chat_id)
                               .order_by(ModerationChat.channel, ModerationChat.id))
    chats: dict[int, list[tuple[str, str]]] = {}
    for kelurahan_id, channel, chat_id in rows:
        chats.setdefault(kelurahan_id, []).append((channel, chat_id))
    return chats


async def staff_identities_of(sessions: async_sessionmaker[AsyncSession], slug: str) -> dict[int, dict[str, str]]:
    """The identities of the kelurahan's staff: staff id -> {channel: their id there}."""
    async with sessions() as s:
        kel = await get_kelurahan(s, slug)
        rows = await s.execute(select(StaffIdentity.staff_id, StaffIdentity.channel, StaffIdentity.external_id)
                               .join(Staff, Staff.id == StaffIdentity.staff_id).where(Staff.kelurahan_id == kel.id))
    identities: dict[int, dict[str, str]] = {}
    for staff_id, channel, external_id in rows:
        identities.setdefault(staff_id, {})[channel] = external_id
    return identities
