"""The desk's setup page (/desk/pengaturan): the kelurahan's letterhead, signatory and numbering (the fields
and rules of `esurat kelurahan set`), its coat of arms (a PNG, `letters.coat_of_arms`), and a specimen letter
with the current settings (/desk/pengaturan/contoh.pdf). Who may: `setup_forms.setup_target`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from bot.desk.auth import DeskUser
from bot.desk.pages import read_form
from bot.desk.sessions import same_token
from bot.desk.setup_forms import Target, current_values, field_rows, read_letterhead, setup_target
from db.directory import DirectoryError, list_kelurahan, update_kelurahan
from db.models import Kelurahan
from flows.dates import local_date
from letters.coat_of_arms import MAX_BYTES, LogoRefused, logo_path, save_logo
from letters.specimen import specimen_pdf
from lifecycle.errors import NotAuthorized, NotFound

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel


async def setup_or_page(desk: DeskChannel, request: Request, user: DeskUser, slug: str | None) -> Target | Response:
    """The kelurahan to set up, or the page to answer with (403, 404, or the admin's choice of kelurahan)."""
    pages, services = desk.pages, desk.services
    try:
        found = await setup_target(services.sessions, user, slug)
    except NotAuthorized as e:
        return pages.render(request, "pesan.html", 403, title="Akses ditolak", message=str(e),
                            link=("/desk/", "Kembali ke beranda"))
    except NotFound as e:
        return pages.render(request, "pesan.html", 404, title="Tidak ditemukan", message=str(e),
                            link=("/desk/pengaturan", "Kembali ke pengaturan"))
    if found is None:
        return pages.render(request, "pengaturan_pilih.html", title="Pengaturan kelurahan",
                            kelurahan=await list_kelurahan(services.sessions), path=request.url.path)
    return found


async def posted_setup(desk: DeskChannel, request: Request, user: DeskUser, slug: str | None
                       ) -> tuple[dict[str, str], Target] | Response:
    """A setup form's fields and the kelurahan it sets up, or the page to answer with (403 on a wrong CSRF
    token, as `setup_or_page` otherwise)."""
    form = await read_form(request)
    if not same_token(form.get("csrf"), user.csrf):
        return desk.pages.forbidden(request)
    t = await setup_or_page(desk, request, user, slug)
    return t if isinstance(t, Response) else (form, t)


def add_setup_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services
    data_dir = services.settings.storage.data_dir

    def show(request: Request, user: DeskUser, t: Target, status: int = 200, *, values: dict[str, Any] | None = None,
             errors: dict[str, str] | None = None, message: str | None = None, ok: bool = False) -> Response:
        response = pages.render(
            request, "pengaturan.html", status, title="Pengaturan kelurahan", kel=t.kel, q=t.query,
            values=values or current_values(t.kel), errors=errors or {}, fields=field_rows(), csrf=user.csrf,
            message=message, ok=ok, has_logo=logo_path(data_dir, t.kel.logo_file) is not None,
            max_kb=MAX_BYTES // 1024)
        response.headers["Cache-Control"] = "no-store"
        return response

    def checked(request: Request, user: DeskUser, t: Target, form: dict[str, str], refused: str
                ) -> tuple[dict[str, Any], dict[str, Any]] | Response:
        """The letterhead form's values as typed and the changes they make, or the form again (400) marked."""
        typed, changes, problems = read_letterhead(form, t.kel)
        if problems:
            return show(request, user, t, 400, values=typed, errors=problems, message=refused)
        return typed, changes

    @router.get("/desk/pengaturan")
    async def settings_page(request: Request, kelurahan: str | None = None,
                            user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        t = await setup_or_page(desk, request, user, kelurahan)
        return t if isinstance(t, Response) else show(request, user, t)

    @router.post("/desk/pengaturan")
    async def save(request: Request, kelurahan: str | None = None,
                   user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        posted = await posted_setup(desk, request, user, kelurahan)
        if isinstance(posted, Response):
            return posted
        form, t = posted
        read = checked(request, user, t, form, "Data belum disimpan. Periksa isian yang ditandai.")
        if isinstance(read, Response):
            return read
        typed, changes = read
        try:
            kel = await update_kelurahan(services.sessions, t.kel.slug, **changes)
        except DirectoryError as e:
            return show(request, user, t, 400, values=typed, message=f"Data belum disimpan: {e}")
        return show(request, user, Target(kel, t.query), message="Pengaturan disimpan.", ok=True)

    @router.post("/desk/pengaturan/lambang")
    async def upload_logo(request: Request, kelurahan: str | None = None,
                          user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        form = await request.form()
        csrf = form.get("csrf")
        if not same_token(csrf if isinstance(csrf, str) else None, user.csrf):
            return pages.forbidden(request)
        t = await setup_or_page(desk, request, user, kelurahan)
        if isinstance(t, Response):
            return t
        upload = form.get("logo")
        data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
        try:
            kel = await save_logo(services.sessions, data_dir, t.kel.slug, data)
        except LogoRefused as e:
            return show(request, user, t, 400, errors={"logo": str(e)}, message="Lambang belum disimpan.")
        return show(request, user, Target(kel, t.query), message="Lambang disimpan.", ok=True)

    def pdf_of(kel: Kelurahan) -> bytes:
        settings = services.settings
        return specimen_pdf(services.catalogue, kel, settings.city_name, local_date(services.clock()),
                            settings.paper, logo_path(data_dir, kel.logo_file))

    @router.get("/desk/pengaturan/contoh.pdf")
    async def specimen(request: Request, kelurahan: str | None = None,
                       user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        t = await setup_or_page(desk, request, user, kelurahan)
        return t if isinstance(t, Response) else pdf_response(await asyncio.to_thread(pdf_of, t.kel))

    @router.post("/desk/pengaturan/contoh.pdf")
    async def unsaved_specimen(request: Request, kelurahan: str | None = None,
                               user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        """The specimen with the form's values, not saved (the row loaded here belongs to no session)."""
        posted = await posted_setup(desk, request, user, kelurahan)
        if isinstance(posted, Response):
            return posted
        form, t = posted
        read = checked(request, user, t, form, "Contoh tidak dapat dibuat. Periksa isian yang ditandai.")
        if isinstance(read, Response):
            return read
        _, changes = read
        for field, value in changes.items():
            setattr(t.kel, field, value)
        return pdf_response(await asyncio.to_thread(pdf_of, t.kel))


def pdf_response(pdf: bytes) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": 'inline; filename="contoh-surat.pdf"'})
