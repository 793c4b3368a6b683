"""Staff console accounts: creating one (no password: a one-time set-up link sets it), logging in with
an argon2 hash and a lock-out kept in the database (it survives restarts and is shared by replicas),
and changing the password. The answer to a failed login never tells whether the account exists."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import DeskAccount, Staff
from lifecycle.service import Clock

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SETUP_VALID_FOR = timedelta(hours=72)
MIN_PASSWORD = 10
MAX_PASSWORD = 256
SETUP_PATH = "/desk/atur-sandi?token="


class AccountError(Exception):
    """Said to the person at the command line or on the page (Indonesian)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_problem(new: str, again: str) -> str | None:
    """Why a new password is refused (None: it is fine)."""
    if new != again:
        return "Kedua isian kata sandi baru tidak sama."
    if len(new) < MIN_PASSWORD:
        return f"Kata sandi baru minimal {MIN_PASSWORD} karakter."
    if len(new) > MAX_PASSWORD:
        return f"Kata sandi baru maksimal {MAX_PASSWORD} karakter."
    return None


@dataclass(frozen=True)
class SetupLink:
    account_id: int
    login: str
    token: str
    expires: datetime

    def url(self, public_url: str) -> str:
        return f"{public_url.rstrip('/')}{SETUP_PATH}{self.token}"


async def issue_setup(session: AsyncSession, account: DeskAccount, now: datetime) -> SetupLink:
    """A new one-time set-up link for `account` (the previous one stops working)."""
    token = secrets.token_urlsafe(32)
    account.setup_token_hash, account.setup_expires = token_hash(token), now + SETUP_VALID_FOR
    await session.flush()
    return SetupLink(account.id, account.login, token, now + SETUP_VALID_FOR)


async def login_taken(sessions: async_sessionmaker[AsyncSession], login: str) -> bool:
    async with sessions() as s:
        return await s.scalar(select(DeskAccount.id).where(DeskAccount.login == login.strip())) is not None


async def create_account(sessions: async_sessionmaker[AsyncSession], login: str, staff_id: int | None,
                         now: datetime) -> SetupLink:
    """An account without a password for staff member `staff_id` (None: the city's admin), and its set-up link."""
    login = login.strip()
    if not 3 <= len(login) <= 64 or any(c.isspace() or not c.isprintable() for c in login):
        raise AccountError("Login harus 3-64 karakter tanpa spasi.")
    async with sessions.begin() as s:
        if await s.scalar(select(DeskAccount.id).where(DeskAccount.login == login)) is not None:
            raise AccountError(f"Login {login} sudah dipakai.")
        if staff_id is not None:
            if await s.get(Staff, staff_id) is None:
                raise AccountError(f"Petugas #{staff_id} tidak ditemukan.")
            if await s.scalar(select(DeskAccount.id).where(DeskAccount.staff_id == staff_id)) is not None:
                raise AccountError(f"Petugas #{staff_id} sudah punya akun meja petugas (esurat staff web-login).")
        account = DeskAccount(staff_id=staff_id, login=login, failed_attempts=0, created_at=now)
        s.add(account)
        await s.flush()
        return await issue_setup(s, account, now)


async def reset_link(sessions: async_sessionmaker[AsyncSession], staff_id: int, now: datetime) -> SetupLink:
    """A new set-up link for staff member `staff_id`'s account (a forgotten password)."""
    async with sessions.begin() as s:
        account = await s.scalar(select(DeskAccount).where(DeskAccount.staff_id == staff_id))
        if account is None:
            raise AccountError(f"Petugas #{staff_id} belum punya akun meja petugas "
                               "(esurat staff add ... --web-login LOGIN).")
        return await issue_setup(s, account, now)


class Passwords:
    """Checks and sets passwords; `hasher` defaults to argon2's own parameters (tests pass cheap ones)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 hasher: PasswordHasher | None = None) -> None:
        self.sessions = sessions
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy = ""  # a hash checked for an unknown login, so that it takes as long (made when first needed)

    def _verify(self, stored: str | None, password: str) -> bool:
        if not stored and not self._dummy:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    async def login(self, login: str, password: str) -> DeskAccount | None:
        """The account, when the password is right and the account is not locked; else None (whatever the reason).
        The 5th wrong password in a row locks the account for 15 minutes."""
        now = self.clock()
        async with self.sessions.begin() as s:
            login = login.strip()
            usable = 0 < len(login) <= 64 and "\x00" not in login  # PostgreSQL refuses NUL in text
            account = await s.scalar(select(DeskAccount).where(DeskAccount.login == login)) if usable else None
            ok = self._verify(account.password_hash if account else None, password[:MAX_PASSWORD])
            if account is None:
                return None
            if account.locked_until is not None and account.locked_until > now:
                return None
            if not ok:  # counted in the database (one increment per attempt, whichever process takes it)
                this = update(DeskAccount).where(DeskAccount.id == account.id)
                await s.execute(this.values(failed_attempts=DeskAccount.failed_attempts + 1))
                failures = await s.scalar(select(DeskAccount.failed_attempts).where(DeskAccount.id == account.id)
                                          .execution_options(populate_existing=True))
                if (failures or 0) >= MAX_FAILURES:
                    await s.execute(this.values(failed_attempts=0, locked_until=now + LOCK_FOR))
                return None
            account.failed_attempts, account.locked_until = 0, None
            if account.password_hash and self.hasher.check_needs_rehash(account.password_hash):
                account.password_hash = self.hasher.hash(password)
            return account

    async def change(self, account_id: int, old: str, new: str) -> bool:
        """Set a new password if `old` is the current one."""
        async with self.sessions.begin() as s:
            account = await s.get(DeskAccount, account_id)
            if account is None or not self._verify(account.password_hash, old[:MAX_PASSWORD]):
                return False
            account.password_hash = self.hasher.hash(new)
            return True

    async def setup_account(self, token: str) -> DeskAccount | None:
        """The account whose set-up link `token` is, while it is valid."""
        async with self.sessions() as s:
            account = await s.scalar(select(DeskAccount).where(DeskAccount.setup_token_hash == token_hash(token)))
        if account is None or account.setup_expires is None or account.setup_expires <= self.clock():
            return None
        return account

    async def use_setup(self, token: str, new: str) -> DeskAccount | None:
        """Set the password with the set-up link `token`, once: the link then stops working."""
        async with self.sessions.begin() as s:
            account = await s.scalar(select(DeskAccount).where(DeskAccount.setup_token_hash == token_hash(token)))
            if account is None or account.setup_expires is None or account.setup_expires <= self.clock():
                return None
            account.password_hash = self.hasher.hash(new)
            account.setup_token_hash = account.setup_expires = None
            account.failed_attempts, account.locked_until = 0, None
            return account
