"""Who is at the desk: the `current_staff` dependency (the logged-in account with its staff member and
kelurahan, or a 303 to /desk/masuk), the cookie, and the CSRF checks. Whether someone may act on a request
is not decided here: that stays `ModerationService.staff_for(request_id, staff_id=user.staff.id)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request
from fastapi.responses import Response

from bot.desk.sessions import ABSOLUTE, COOKIE, close_session, find_session
from db.models import DeskAccount, Kelurahan, Staff
from lifecycle.errors import NotAuthorized

if TYPE_CHECKING:
    from bot.composition import Services

LOGIN_PATH = "/desk/masuk"


@dataclass(frozen=True)
class DeskUser:
    """The logged-in account; `staff` and `kelurahan` are None for the city's admin."""

    account: DeskAccount
    staff: Staff | None
    kelurahan: Kelurahan | None
    csrf: str
    sid_hash: str

    @property
    def is_admin(self) -> bool:
        return self.account.staff_id is None


class DeskAuth:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def secure(self) -> bool:
        return self.services.settings.http.public_url.lower().startswith("https://")

    def set_cookie(self, response: Response, name: str, value: str, max_age: int = int(ABSOLUTE.total_seconds())
                   ) -> Response:
        response.set_cookie(name, value, max_age=max_age, path="/desk", httponly=True, samesite="strict",
                            secure=self.secure)
        return response

    def clear_cookie(self, response: Response) -> Response:
        response.delete_cookie(COOKIE, path="/desk", httponly=True, samesite="strict", secure=self.secure)
        return response

    async def user(self, request: Request) -> DeskUser | None:
        """The logged-in user of the request, or None. A demo staff member's session counts only in demo mode,
        and an inactive staff member's never."""
        services = self.services
        sid = request.cookies.get(COOKIE)
        active = await find_session(services.sessions, sid, services.clock())
        if active is None:
            return None
        staff = kel = None
        if active.account.staff_id is not None:
            async with services.sessions() as s:
                staff = await s.get(Staff, active.account.staff_id)
                kel = await s.get(Kelurahan, staff.kelurahan_id) if staff is not None else None
            if staff is None or not staff.active or (staff.demo and not services.settings.demo):
                await close_session(services.sessions, sid)
                return None
        return DeskUser(active.account, staff, kel, active.csrf, active.sid_hash)

    async def staff_for(self, request_id: int, user: DeskUser) -> Staff:
        """The staff member who may act on request `request_id`: the one rule of `ModerationService.staff_for`
        (active staff of the request's kelurahan); the admin never. Raises `NotAuthorized`."""
        if user.staff is None:
            raise NotAuthorized("Akun pengelola kota tidak menangani permohonan")
        return await self.services.moderation.staff_for(request_id, staff_id=user.staff.id)

    async def current_staff(self, request: Request) -> DeskUser:
        """The logged-in user, or a 303 to the login page."""
        user = await self.user(request)
        if user is None:
            raise HTTPException(status_code=303, detail="Silakan masuk terlebih dahulu.",
                                headers={"Location": LOGIN_PATH, "Cache-Control": "no-store"})
        request.state.desk_user = user  # the page knows whom it is shown to (e.g. whether to poll for changes)
        return user

