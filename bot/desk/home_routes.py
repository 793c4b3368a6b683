"""The desk's pages after login: /desk/ (the own kelurahan's requests by status, filtered) and /desk/sandi (changing
the password). Anything acting on a request later goes through `ModerationService.staff_for`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.desk.accounts import MIN_PASSWORD, password_problem
from bot.desk.auth import DeskUser
from bot.desk.live import VERSI_PATH, kelurahan_versi
from bot.desk.pages import read_form
from bot.desk.queue_filters import read_filters
from bot.desk.requests_view import STATUS_LABELS, requests_by_status
from bot.desk.sessions import close_others, same_token
from bot.desk.setup_forms import may_setup
from moderation.card import wib

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

# Where residents ask (`Resident.channel`), as staff know them; a configured channel's own label wins.
RESIDENT_CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": "Web"}


def add_home_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services
    titles = {t.code: t.title for t in services.catalogue}
    sla_days = {t.code: t.sla_days for t in services.catalogue}
    channels = {**RESIDENT_CHANNELS, **{name: channel.label for name, channel in services.channels.items()
                                        if name != desk.name}}

    @router.get("/desk/")
    async def home(request: Request, user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        filters, notes = read_filters(request.query_params, titles, STATUS_LABELS, channels)
        live = None
        async with services.sessions() as s:  # the city's admin: every kelurahan, to read only
            if user.staff is not None:  # read before the list: a change in between reloads the page
                query = request.url.query
                live = {"path": VERSI_PATH, "reload": "/desk/" + (f"?{query}" if query else ""),
                        "versi": await kelurahan_versi(s, user.staff.kelurahan_id)}
            groups = await requests_by_status(s, user.staff.kelurahan_id if user.staff else None, filters,
                                              sla_days=sla_days, now=services.clock())
        who = f"{user.staff.name} ({user.account.login})" if user.staff else f"{user.account.login} (pengelola kota)"
        return pages.render(request, "beranda.html", title="Meja Petugas", kelurahan=user.kelurahan, who=who,
                            groups=groups, titles=titles, wib=wib, csrf=user.csrf, chosen=filters.form(),
                            notes=notes, statuses=STATUS_LABELS, channels=channels,
                            demo_staff=bool(user.staff and user.staff.demo), may_setup=may_setup(user),
                            city_wide=user.staff is None, live=live)

    def form(request: Request, user: DeskUser, status: int = 200, *, error: str | None = None,
             done: str | None = None) -> Response:
        return pages.render(request, "sandi.html", status, title="Ganti kata sandi", action="/desk/sandi",
                            csrf=user.csrf, ask_old=True, min_length=MIN_PASSWORD, error=error, done=done,
                            login=user.account.login, back=True)

    @router.get("/desk/sandi")
    async def password_page(request: Request, user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        return form(request, user)

    @router.post("/desk/sandi")
    async def change_password(request: Request, user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        posted = await read_form(request)
        if not same_token(posted.get("csrf"), user.csrf):
            return pages.forbidden(request)
        if problem := password_problem(posted.get("new", ""), posted.get("again", "")):
            return form(request, user, 400, error=problem)
        if not await desk.passwords.change(user.account.id, posted.get("old", ""), posted.get("new", "")):
            return form(request, user, 400, error="Kata sandi lama salah.")
        async with services.sessions.begin() as s:
            await close_others(s, user.account.id, keep_hash=user.sid_hash)
        return form(request, user, done="Kata sandi berhasil diganti. Sesi di perangkat lain telah diakhiri.")
