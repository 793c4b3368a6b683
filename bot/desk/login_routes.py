"""The desk's pages before login: /desk/masuk (login), /desk/keluar (logout), /desk/atur-sandi (the one-time
set-up link), and in demo mode only /desk/demo (a seeded demo staff member, operator or Lurah, without a password) and
/desk/demo/masuk (the same, straight in: the console framed in /demo's staff pane)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.accounts import MIN_PASSWORD, password_problem
from bot.desk.ip_limit import TOO_MANY
from bot.desk.pages import STATIC, DeskPages, read_form
from bot.desk.sessions import COOKIE, close_others, close_session, open_session, same_token
from bot.webchat.seed import DEMO_NAMES, OPERATOR, demo_staff_of, demo_web_login
from db.models import DeskAccount, Kelurahan, Staff

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

FAILED = "Nama pengguna atau kata sandi salah. Setelah 5 kali salah berturut-turut, akun dikunci 15 menit."
BAD_LINK = "Tautan atur sandi ini tidak berlaku: sudah dipakai, sudah kedaluwarsa, atau salah ketik. " \
           "Mintalah tautan baru kepada pengelola."


def add_login_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, auth, services = desk.pages, desk.auth, desk.services

    async def start_session(account_id: int, request: Request) -> Response:
        await close_session(services.sessions, request.cookies.get(COOKIE))
        sid = await open_session(services.sessions, account_id, services.clock())
        return auth.set_cookie(DeskPages.redirect("/desk/"), COOKIE, sid)

    def too_many(request: Request) -> Response:
        response = pages.render(request, "pesan.html", 429, title="Terlalu banyak percobaan", message=TOO_MANY)
        response.headers["Retry-After"] = str(desk.throttle.retry_after(request))
        return response

    @router.get("/desk/static/desk.css", include_in_schema=False)
    async def desk_css() -> FileResponse:
        return FileResponse(STATIC / "desk.css", media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @router.get("/desk/masuk")
    async def login_page(request: Request) -> Response:
        if await auth.user(request) is not None:
            return DeskPages.redirect("/desk/")
        return pages.pre_form(request, "masuk.html", title="Masuk")

    async def throttled_form(request: Request) -> dict[str, str] | Response:
        """A form posted before login, or the page to answer with: 403 (CSRF), 429 (this address, too often)."""
        form = await read_form(request)
        if not pages.pre_ok(request, form):
            return pages.forbidden(request)
        return form if desk.throttle.allow(request) else too_many(request)

    @router.post("/desk/masuk")
    async def login(request: Request) -> Response:
        form = await throttled_form(request)
        if isinstance(form, Response):
            return form
        account = await desk.passwords.login(form.get("login", ""), form.get("password", ""))
        if account is None or not await desk.may_enter(account):
            return pages.pre_form(request, "masuk.html", 401, title="Masuk", error=FAILED,
                                  login=form.get("login", "")[:64])
        return await start_session(account.id, request)

    @router.post("/desk/keluar")
    async def logout(request: Request) -> Response:
        user = await auth.user(request)
        if user is None:
            return DeskPages.redirect("/desk/masuk")
        if not same_token((await read_form(request)).get("csrf"), user.csrf):
            return pages.forbidden(request)
        await close_session(services.sessions, request.cookies.get(COOKIE))
        return auth.clear_cookie(DeskPages.redirect("/desk/masuk"))

    def setup_form(request: Request, token: str, status: int = 200, error: str | None = None) -> Response:
        return pages.pre_form(request, "sandi.html", status, title="Atur kata sandi", action="/desk/atur-sandi",
                              intro="Buat kata sandi untuk akun meja petugas Anda. Tautan ini hanya berlaku sekali.",
                              token=token, ask_old=False, min_length=MIN_PASSWORD, error=error)

    def bad_link(request: Request) -> Response:
        return pages.render(request, "pesan.html", 400, title="Tautan tidak berlaku", message=BAD_LINK)

    @router.get("/desk/atur-sandi")
    async def setup_page(request: Request, token: str = "") -> Response:
        if not token or await desk.passwords.setup_account(token) is None:
            return bad_link(request)
        return setup_form(request, token)

    @router.post("/desk/atur-sandi")
    async def setup(request: Request) -> Response:
        form = await throttled_form(request)
        if isinstance(form, Response):
            return form
        token = form.get("token", "")
        if not token or await desk.passwords.setup_account(token) is None:
            return bad_link(request)
        if problem := password_problem(form.get("new", ""), form.get("again", "")):
            return setup_form(request, token, 400, problem)
        account = await desk.passwords.use_setup(token, form.get("new", ""))
        if account is None:
            return bad_link(request)
        async with services.sessions.begin() as s:
            await close_others(s, account.id)
        return pages.render(request, "pesan.html", title="Kata sandi tersimpan", ok=True,
                            message=f"Kata sandi akun {account.login} tersimpan. Silakan masuk.",
                            link=("/desk/masuk", "Masuk ke meja petugas"))

    def demo_only() -> None:
        if not services.settings.demo:
            raise HTTPException(status_code=404)

    @router.get("/desk/demo")
    async def demo_page(request: Request) -> Response:
        demo_only()
        async with services.sessions() as s:
            kelurahan = list(await s.scalars(select(Kelurahan).order_by(Kelurahan.name)))
        return pages.pre_form(request, "demo.html", title="Petugas demo", kelurahan=kelurahan, roles=DEMO_NAMES)

    async def enter_as_demo(request: Request, slug: str, role: str) -> Response:
        async with services.sessions.begin() as s:
            found = await demo_staff_of(s, slug, role)
            if found is None:
                raise HTTPException(status_code=404, detail="Kelurahan atau petugas demo tidak ditemukan.")
            account_id = await demo_account(s, found[1], demo_web_login(slug, role), services.clock())
        return await start_session(account_id, request)

    @router.post("/desk/demo")
    async def demo_login(request: Request) -> Response:
        demo_only()
        form = await read_form(request)
        if not pages.pre_ok(request, form):
            return pages.forbidden(request)
        return await enter_as_demo(request, form.get("kelurahan", ""), form.get("peran", OPERATOR))

    @router.get("/desk/demo/masuk")
    async def demo_console(request: Request, kelurahan: str = "", peran: str = OPERATOR) -> Response:
        """The console framed in /demo's staff pane: straight in as the kelurahan's demo staff member (a GET,
        so that an iframe can open it; demo mode only, and only ever a demo account without a password)."""
        demo_only()
        return await enter_as_demo(request, kelurahan[:64], peran[:16])

async def demo_account(session: AsyncSession, staff: Staff, login: str, now: datetime) -> int:
    """The desk account of a demo staff member (made on first use, never with a password)."""
    account = await session.scalar(select(DeskAccount).where(DeskAccount.staff_id == staff.id))
    if account is None:
        account = DeskAccount(staff_id=staff.id, login=login, failed_attempts=0, created_at=now)
        session.add(account)
        await session.flush()
    return account.id
