"""The staff console as a channel (`/desk`): another moderation channel over the same services. So far it
has accounts, login and a read-only home; it hosts no moderation chat yet and sends nothing (no rate)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import WithoutWorkers
from bot.delivery import PermanentFailure, RatePolicy
from bot.desk.accounts import Passwords
from bot.desk.auth import DeskAuth
from bot.desk.file_routes import add_file_routes
from bot.desk.home_routes import add_home_routes
from bot.desk.ip_limit import LOGIN_BURST, LOGIN_PER_MINUTE, LoginThrottle
from bot.desk.letter_routes import add_letter_routes
from bot.desk.live_routes import add_live_routes
from bot.desk.login_routes import add_login_routes
from bot.desk.pages import DeskPages
from bot.desk.request_routes import add_request_routes
from bot.desk.setup_routes import add_setup_routes
from bot.desk.staff_routes import add_staff_routes
from bot.desk.visit_routes import add_visit_routes
from db.models import DeskAccount, Kelurahan, OutboxMessage, Staff
from db.outbound import Outbound

if TYPE_CHECKING:
    from bot.composition import Services

CHANNEL = "desk"


class DeskChannel(WithoutWorkers):
    name = CHANNEL
    label = "Meja petugas"
    serves_residents = False  # staff only: not a channel residents are offered a service on
    rate: RatePolicy | None = None

    def __init__(self, services: Services, hasher: PasswordHasher | None = None) -> None:
        """`hasher`: argon2's defaults unless given (tests give cheap parameters)."""
        self.services = services
        self.auth = DeskAuth(services)
        self.pages = DeskPages(self.auth)
        self.passwords = Passwords(services.sessions, services.clock, hasher)
        # Per client address, counted in memory and shared by the replicas (the account lock-out is in the DB).
        self.throttle = LoginThrottle(limiter=services.limits.limiter("desk-login", LOGIN_PER_MINUTE, LOGIN_BURST))

    async def may_enter(self, account: DeskAccount) -> bool:
        """Whether a correct password lets the account in: the admin, or an active staff member (a demo one
        only in demo mode)."""
        if account.staff_id is None:
            return True
        async with self.services.sessions() as s:
            staff = await s.get(Staff, account.staff_id)
        return staff is not None and staff.active and (not staff.demo or self.services.settings.demo)

    def router(self) -> APIRouter:
        router = APIRouter()
        add_login_routes(router, self)
        add_home_routes(router, self)
        add_file_routes(router, self)
        add_request_routes(router, self)
        add_visit_routes(router, self)
        add_letter_routes(router, self)
        add_setup_routes(router, self)
        add_staff_routes(router, self)
        add_live_routes(router, self)
        return router

    async def deliver(self, row: OutboxMessage, message: Outbound) -> dict[str, Any] | None:
        raise PermanentFailure("the desk sends nothing yet")

    async def moderation_chats(self, session: AsyncSession, kel: Kelurahan) -> list[str]:
        return []

