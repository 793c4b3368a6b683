"""The desk's issued letters (/desk/surat): search the own kelurahan's letters, open one, download its PDF,
revoke it with a reason, send it again to its resident; all over `services.letter_desk` (`LetterDesk`), whose
checks are the one rule (`ModerationService.staff_for`). Another kelurahan's letter and a tampered id answer
404, as one that does not exist; the city's admin has no letters here (a polite page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.desk.auth import DeskUser
from bot.desk.letter_view import LetterPage, letter_page
from bot.desk.pages import read_form
from bot.desk.sessions import same_token
from bot.untrusted import row_id
from db.models import Staff
from lifecycle.errors import DomainError, NotAuthorized, NotFound, ReasonRequired
from moderation.letters import AlreadyRevoked, ResendRefused

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

NOT_FOUND = "Surat tidak ditemukan di kelurahan Anda."
ADMIN = ("Akun pengelola kota hanya mengelola pengaturan. Surat warga ditangani oleh petugas kelurahan "
         "masing-masing, sehingga tidak ditampilkan di sini.")
NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
MAX_QUERY, MAX_REASON = 100, 1000


def add_letter_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services, letters = desk.pages, desk.services, desk.services.letter_desk
    if letters is None:  # a service built without letters has no such pages
        return

    def admin_page(request: Request, status: int = 200) -> Response:
        return pages.render(request, "pesan.html", status, title="Surat terbit", message=ADMIN, ok=True,
                            link=("/desk/", "Kembali ke beranda"))

    def show(request: Request, user: DeskUser, found: LetterPage, status: int = 200, *,
             message: str | None = None, ok: bool = False) -> Response:
        response = pages.render(request, "surat_detail.html", status, title=f"Surat {found.number}",
                                letter=found, csrf=user.csrf, message=message, ok=ok)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def own(user: DeskUser, letter_id: str) -> LetterPage | None:
        """The letter for the staff member `user`, or None (none, another kelurahan's, a tampered id)."""
        lid = row_id(letter_id)
        found = await letter_page(services.sessions, lid, services.catalogue, services.clock()) if lid else None
        if found is None:
            return None
        try:
            await desk.auth.staff_for(found.request_id, user)
        except DomainError:
            return None
        return found

    @router.get("/desk/surat")
    async def search(request: Request, q: str = "", user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        if user.staff is None:
            return admin_page(request)
        query = q.strip()[:MAX_QUERY]
        try:
            hits = await letters.search(user.staff, query)
        except NotAuthorized:
            return admin_page(request, 403)
        response = pages.render(request, "surat.html", title="Surat terbit", q=query, hits=hits,
                                kelurahan=user.kelurahan, live=None)  # no reload URL carrying a searched NIK
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get("/desk/surat/{letter_id}")
    async def detail(request: Request, letter_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                     ) -> Response:
        if user.staff is None:
            return admin_page(request, 403)
        found = await own(user, letter_id)
        return show(request, user, found) if found else pages.not_found(request, NOT_FOUND)

    @router.get("/desk/surat/{letter_id}/pdf")
    async def pdf(request: Request, letter_id: str, user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        if user.staff is None:
            return admin_page(request, 403)
        lid = row_id(letter_id)
        try:
            data = await letters.letter_pdf(user.staff, lid) if lid is not None else None
        except (NotAuthorized, NotFound, OSError):
            data = None
        except DomainError as e:  # the stored file differs from the issued one
            return pages.render(request, "pesan.html", 409, title="Berkas surat bermasalah", message=f"{e}.",
                                link=("/desk/surat", "Kembali ke daftar surat"))
        if data is None:
            return pages.not_found(request, NOT_FOUND)
        return Response(data, media_type="application/pdf",
                        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="surat-{lid}.pdf"'})

    async def posted_on(request: Request, user: DeskUser, letter_id: str
                        ) -> tuple[dict[str, str], Staff, LetterPage] | Response:
        """A letter form's fields, the staff member and their own letter, or the page to answer with."""
        posted = await read_form(request)
        if not same_token(posted.get("csrf"), user.csrf):
            return pages.forbidden(request)
        if user.staff is None:
            return admin_page(request, 403)
        found = await own(user, letter_id)
        return pages.not_found(request, NOT_FOUND) if found is None else (posted, user.staff, found)

    @router.post("/desk/surat/{letter_id}/cabut")
    async def revoke(request: Request, letter_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                     ) -> Response:
        checked = await posted_on(request, user, letter_id)
        if isinstance(checked, Response):
            return checked
        posted, staff, found = checked
        reason = posted.get("alasan", "").strip()[:MAX_REASON]
        try:
            await letters.revoke(staff, found.letter_id, reason)
        except ReasonRequired:
            return show(request, user, found, 400, message="Alasan pencabutan wajib diisi.")
        except AlreadyRevoked:
            return show(request, user, found, 409, message="Surat ini sudah dicabut sebelumnya; tidak ada yang diubah.")
        except NotAuthorized:
            return pages.not_found(request, NOT_FOUND)
        except DomainError as e:
            return show(request, user, found, 409, message=f"{e}.")
        after = await own(user, letter_id)
        return show(request, user, after or found, message="Surat telah dicabut.", ok=True)

    @router.post("/desk/surat/{letter_id}/kirim-ulang")
    async def resend(request: Request, letter_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                     ) -> Response:
        checked = await posted_on(request, user, letter_id)
        if isinstance(checked, Response):
            return checked
        posted, staff, found = checked
        try:
            await letters.resend(staff, found.letter_id)
        except ResendRefused as e:
            return show(request, user, found, 409, message=f"{e}.")
        except NotAuthorized:
            return pages.not_found(request, NOT_FOUND)
        return show(request, user, found, message="Surat dikirim ulang ke warga.", ok=True)
