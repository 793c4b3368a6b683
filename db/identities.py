"""Who is who on each channel: staff members by (channel, their platform id), and the moderation
chats of each kelurahan by (channel, chat id). One table each, whatever the channel."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ModerationChat, Staff, StaffIdentity


async def moderation_chats(session: AsyncSession, kelurahan_id: int, channel: str) -> list[str]:
    """The chat ids of the kelurahan's moderation chats on `channel`."""
    return list(await session.scalars(select(ModerationChat.chat_id).where(
        ModerationChat.kelurahan_id == kelurahan_id, ModerationChat.channel == channel,
    ).order_by(ModerationChat.id)))


async def set_moderation_chat(session: AsyncSession, kelurahan_id: int, channel: str, chat_id: str | None) -> None:
    """Make `chat_id` the kelurahan's (only) moderation chat on `channel`; None removes it."""
    await session.execute(delete(ModerationChat).where(
        ModerationChat.kelurahan_id == kelurahan_id, ModerationChat.channel == channel))
    if chat_id is not None:
        await session.execute(delete(ModerationChat).where(
            ModerationChat.channel == channel, ModerationChat.chat_id == chat_id))
        session.add(ModerationChat(kelurahan_id=kelurahan_id, channel=channel, chat_id=chat_id))
    await session.flush()


async def set_staff_identity(session: AsyncSession, staff_id: int, channel: str, external_id: str | None) -> None:
    """Make `external_id` the staff member's (only) identity on `channel`; None removes it."""
    await session.execute(delete(StaffIdentity).where(
        StaffIdentity.staff_id == staff_id, StaffIdentity.channel == channel))
    if external_id is not None:
        session.add(StaffIdentity(staff_id=staff_id, channel=channel, external_id=external_id))
    await session.flush()


async def staff_identities(session: AsyncSession, staff_id: int) -> dict[str, str]:
    """The staff member's identities: channel -> platform id."""
    rows = await session.execute(select(StaffIdentity.channel, StaffIdentity.external_id).where(
        StaffIdentity.staff_id == staff_id))
    return {str(channel): str(external_id) for channel, external_id in rows.all()}


async def staff_by_identity(session: AsyncSession, kelurahan_id: int, channel: str, external_id: str) -> Staff | None:
    """The active staff member of the kelurahan who is `external_id` on `channel`."""
    return await session.scalar(select(Staff).join(StaffIdentity, StaffIdentity.staff_id == Staff.id).where(
        Staff.kelurahan_id == kelurahan_id, Staff.active.is_(True),
        StaffIdentity.channel == channel, StaffIdentity.external_id == external_id,
    ).limit(1))
