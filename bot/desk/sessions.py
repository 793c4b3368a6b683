"""Server-side sessions of the staff console, in the database: the cookie holds a random id, the table
its sha256 (a leaked table gives no cookie), the account, when it was made and last used, its absolute
end, and the session's CSRF token. A session ends after 30 idle minutes, 12 hours after login, or at logout."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import DeskAccount, DeskSession

COOKIE = "esurat_desk"
PRE_COOKIE = "esurat_desk_pra"  # the CSRF token of the forms shown before login (login, set-up link, demo)
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def same_token(given: object, expected: str) -> bool:
    """Constant-time comparison of a posted CSRF token with the expected one (a missing one never matches)."""
    return isinstance(given, str) and bool(given) and bool(expected) and hmac.compare_digest(
        given.encode(), expected.encode())


@dataclass(frozen=True)
class Active:
    """A valid session: its account and CSRF token."""

    sid_hash: str
    account: DeskAccount
    csrf: str


async def open_session(sessions: async_sessionmaker[AsyncSession], account_id: int, now: datetime) -> str:
    """A new session of `account_id`; its id, for the cookie (never stored as such)."""
    sid = secrets.token_urlsafe(32)
    async with sessions.begin() as s:
        await s.execute(delete(DeskSession).where(  # sessions that ended without a logout go at the next login
            (DeskSession.expires_at <= now) | (DeskSession.last_seen <= now - IDLE)))
        s.add(DeskSession(id_hash=_hash(sid), account_id=account_id, created_at=now, last_seen=now,
                          expires_at=now + ABSOLUTE, csrf_token=secrets.token_urlsafe(32)))
    return sid


async def find_session(sessions: async_sessionmaker[AsyncSession], sid: str | None, now: datetime) -> Active | None:
    """The valid session of cookie value `sid`, its last use moved to `now`; an expired one is deleted."""
    if not sid or len(sid) > 128:
        return None
    async with sessions.begin() as s:
        row = await s.get(DeskSession, _hash(sid))
        if row is None:
            return None
        if now >= row.expires_at or now - row.last_seen >= IDLE:
            await s.delete(row)
            return None
        account = await s.get(DeskAccount, row.account_id)
        if account is None:
            return None
        row.last_seen = now
        return Active(row.id_hash, account, row.csrf_token)


async def close_session(sessions: async_sessionmaker[AsyncSession], sid: str | None) -> None:
    if sid:
        async with sessions.begin() as s:
            await s.execute(delete(DeskSession).where(DeskSession.id_hash == _hash(sid)))


async def close_others(session: AsyncSession, account_id: int, keep_hash: str | None = None) -> None:
    """End every session of the account but `keep_hash` (after a password change or set-up)."""
    query = delete(DeskSession).where(DeskSession.account_id == account_id)
    if keep_hash is not None:
        query = query.where(DeskSession.id_hash != keep_hash)
    await session.execute(query)

