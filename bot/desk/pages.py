"""Rendering the desk's pages (the public pages' layout and style, plus `desk.css`), reading its forms,
the pre-login CSRF token (a cookie and the same value in the form), and the 403 and 404 pages."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.desk.auth import DeskAuth, DeskUser
from bot.desk.live import live_context
from bot.desk.sessions import PRE_COOKIE, same_token
from bot.pages.templating import PAGE_HEADERS, asset_url, environment

DESK_DIR = Path(__file__).parent
TEMPLATES = DESK_DIR / "templates"
STATIC = DESK_DIR / "static"
FORBIDDEN = ("Formulir ini tidak sah atau sudah kedaluwarsa. Muat ulang halaman, lalu coba lagi.")
PRE_MAX_AGE = 3600
# In demo mode the console is framed in /demo's staff pane (same origin); elsewhere it is never framed.
DEMO_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'")}


class DeskPages:
    def __init__(self, auth: DeskAuth) -> None:
        self.auth = auth
        self.env = environment([TEMPLATES])
        self.env.globals["desk_css_url"] = asset_url("/desk/static", STATIC, "desk.css")
        self.env.globals["live_js_url"] = asset_url("/desk/static", STATIC, "live.js")

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        settings = self.auth.services.settings
        if "live" not in context:  # a logged-in staff member's page follows changes made elsewhere (live.js)
            user = getattr(request.state, "desk_user", None)
            context["live"] = live_context(request, isinstance(user, DeskUser) and user.staff is not None, status)
        body = self.env.get_template(name).render(demo=settings.demo, city=settings.city_name, page="desk",
                                                  **context)
        return HTMLResponse(body, status_code=status, headers=DEMO_HEADERS if settings.demo else PAGE_HEADERS)

    def forbidden(self, request: Request) -> HTMLResponse:
        return self.render(request, "pesan.html", 403, title="Akses ditolak", message=FORBIDDEN,
                           link=("/desk/masuk", "Kembali ke halaman masuk"))

    def not_found(self, request: Request, message: str) -> HTMLResponse:
        """The desk's one 404 page: for a missing row and for another kelurahan's alike (never its content)."""
        response = self.render(request, "pesan.html", 404, title="Tidak ditemukan", message=message,
                               link=("/desk/", "Kembali ke beranda"))
        response.headers["Cache-Control"] = "no-store"
        return response

    def pre_form(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A form shown before login, with the pre-login CSRF token (kept from the cookie, else new)."""
        token = request.cookies.get(PRE_COOKIE) or ""
        if not 32 <= len(token) <= 64:
            token = secrets.token_urlsafe(32)
        response = self.render(request, name, status, csrf=token, **context)
        self.auth.set_cookie(response, PRE_COOKIE, token, PRE_MAX_AGE)
        return response

    @staticmethod
    def pre_ok(request: Request, form: dict[str, str]) -> bool:
        return same_token(form.get("csrf"), request.cookies.get(PRE_COOKIE) or "")

    @staticmethod
    def redirect(path: str) -> Response:
        return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's text fields (files and repeated names are ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}
