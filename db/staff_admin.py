"""Ending a staff member's access (the CLI's `staff deactivate` and `staff remove`).

Deactivating keeps the row (their decisions in the audit trail still name them) and their identities
(so nobody else is registered under them by mistake); a deactivated member is no longer recognised on
any channel (`db.identities.staff_by_identity` looks for active staff only). Removing deletes the row
and its identities, and is allowed only for a member who never acted on a request."""

from __future__ import annotations

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.directory import DirectoryError, identity_free
from db.identities import set_staff_identity
from db.letterhead_rules import staff_fields
from db.models import AuditEvent, Kelurahan, LetterRequest, ModerationPrompt, Staff, StaffIdentity


async def _staff(session: AsyncSession, staff_id: int) -> Staff:
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise DirectoryError(f"Petugas #{staff_id} tidak ditemukan (lihat: esurat staff list KELURAHAN)")
    return staff


async def set_staff_active(sessions: async_sessionmaker[AsyncSession], staff_id: int, active: bool) -> Staff:
    """Deactivate (or activate again) the staff member `staff_id`."""
    async with sessions.begin() as s:
        staff = await _staff(s, staff_id)
        staff.active = active
        return staff


async def has_acted(session: AsyncSession, staff_id: int) -> bool:
    """Whether the staff member decided, or began to decide, on any request."""
    return bool(await session.scalar(select(or_(
        exists().where(AuditEvent.actor == f"staff:{staff_id}"),
        exists().where(LetterRequest.approved_by == staff_id),
        exists().where(ModerationPrompt.staff_id == staff_id),
    ))))


async def remove_staff(sessions: async_sessionmaker[AsyncSession], staff_id: int) -> Staff:
    """Delete the staff member `staff_id` and their identities; refused once they acted on a request."""
    async with sessions.begin() as s:
        staff = await _staff(s, staff_id)
        if await has_acted(s, staff_id):
            raise DirectoryError(
                f"Petugas #{staff.id} {staff.name} sudah pernah menangani permohonan dan tercatat di jejak audit, "
                f"sehingga tidak dapat dihapus. Nonaktifkan saja: esurat staff deactivate {staff.id}")
        await s.execute(delete(StaffIdentity).where(StaffIdentity.staff_id == staff_id))
        await s.delete(staff)
        return staff


async def set_staff_details(sessions: async_sessionmaker[AsyncSession], staff_id: int, *,
                            rank: str | None = None, nip: str | None = None) -> Staff:
    """Change the staff member's rank and NIP (printed under their name on the letters they sign)."""
    async with sessions.begin() as s:
        staff = await _staff(s, staff_id)
        (new_rank, new_nip), problems = staff_fields(staff.rank if rank is None else rank,
                                                     staff.nip if nip is None else nip)
        if problems:
            raise DirectoryError(problems)
        staff.rank, staff.nip = new_rank, new_nip
        return staff


async def add_identity(sessions: async_sessionmaker[AsyncSession], staff_id: int, channel: str,
                       external_id: str) -> Staff:
    """Give the staff member an identity on `channel` (replacing theirs there); refused when another staff
    member has it."""
    channel, external_id = channel.strip().lower(), external_id.strip()
    if not (channel.isalpha() and 2 <= len(channel) <= 16 and 0 < len(external_id) <= 64):
        raise DirectoryError("Kanal dan ID akun harus diisi (ID paling banyak 64 karakter)")
    async with sessions.begin() as s:
        staff = await _staff(s, staff_id)
        kel = await s.get(Kelurahan, staff.kelurahan_id)
        assert kel is not None
        holder = await s.scalar(select(StaffIdentity.staff_id).where(
            StaffIdentity.channel == channel, StaffIdentity.external_id == external_id))
        if holder != staff_id:
            await identity_free(s, kel, channel, external_id)
        await set_staff_identity(s, staff_id, channel, external_id)
        return staff


async def remove_identity(sessions: async_sessionmaker[AsyncSession], staff_id: int, channel: str) -> Staff:
    async with sessions.begin() as s:
        staff = await _staff(s, staff_id)
        await set_staff_identity(s, staff_id, channel, None)
        return staff
