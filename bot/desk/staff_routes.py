"""The desk's staff page (/desk/pengaturan/petugas): the kelurahan's staff with their role, rank, NIP, active
flag, chat identities (masked) and desk login; its Lurah, Sekretaris or the city's admin adds a staff member,
changes rank and NIP, (de)activates one, adds or removes a chat identity, and makes a desk account (or a new
set-up link), whose one-time link is shown once. The rules are `db.directory`'s and `db.staff_admin`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from bot.desk.accounts import AccountError, SetupLink, create_account, reset_link
from bot.desk.auth import DeskUser
from bot.desk.setup_forms import Target, mask_id
from bot.desk.setup_routes import posted_setup, setup_or_page
from bot.untrusted import row_id
from db.directory import ROLES, DirectoryError, add_staff, list_staff, staff_identities_of
from db.models import DeskAccount, Staff
from db.staff_admin import add_identity, remove_identity, set_staff_active, set_staff_details

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

ACTIONS = ("data", "nonaktif", "aktif", "identitas", "hapus-identitas", "akun")


def add_staff_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services
    public_url = services.settings.http.public_url

    async def show(request: Request, user: DeskUser, t: Target, status: int = 200, *, message: str | None = None,
                   ok: bool = False, link: SetupLink | None = None) -> Response:
        staff = await list_staff(services.sessions, t.kel.slug)
        identities = await staff_identities_of(services.sessions, t.kel.slug)
        async with services.sessions() as s:
            rows = await s.execute(select(DeskAccount.staff_id, DeskAccount.login).where(
                DeskAccount.staff_id.in_([st.id for st in staff])))
            logins = {staff_id: login for staff_id, login in rows}
        masked = {sid: sorted((ch, mask_id(ext)) for ch, ext in ids.items()) for sid, ids in identities.items()}
        response = pages.render(
            request, "petugas.html", status, title="Petugas kelurahan", kel=t.kel, q=t.query, staff=staff,
            identities=masked, logins=logins, roles=ROLES, csrf=user.csrf, message=message, ok=ok,
            link=link.url(public_url) if link else None, link_login=link.login if link else None)
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get("/desk/pengaturan/petugas")
    async def staff_page(request: Request, kelurahan: str | None = None,
                         user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        t = await setup_or_page(desk, request, user, kelurahan)
        return t if isinstance(t, Response) else await show(request, user, t)

    @router.post("/desk/pengaturan/petugas")
    async def add(request: Request, kelurahan: str | None = None,
                  user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        posted = await posted_setup(desk, request, user, kelurahan)
        if isinstance(posted, Response):
            return posted
        form, t = posted
        try:
            st = await add_staff(services.sessions, t.kel.slug, name=form.get("nama", ""),
                                 role=form.get("peran", ""), rank=form.get("pangkat", ""), nip=form.get("nip", ""))
        except DirectoryError as e:
            return await show(request, user, t, 400, message=f"Petugas tidak ditambahkan: {e}.")
        link = None
        if login := form.get("login", "").strip():
            try:
                link = await create_account(services.sessions, login, st.id, services.clock())
            except AccountError as e:
                return await show(request, user, t, 400, message=f"Petugas {st.name} ditambahkan, "
                                  f"tetapi akun meja petugas belum dibuat: {e}")
        return await show(request, user, t, message=f"Petugas {st.name} ditambahkan.", ok=True, link=link)

    @router.post("/desk/pengaturan/petugas/{staff_id}")
    async def change(request: Request, staff_id: str, kelurahan: str | None = None,
                     user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        posted = await posted_setup(desk, request, user, kelurahan)
        if isinstance(posted, Response):
            return posted
        form, t = posted
        sid, action = row_id(staff_id), form.get("aksi", "")
        async with services.sessions() as s:
            st = await s.get(Staff, sid) if sid is not None else None
        if st is None or st.kelurahan_id != t.kel.id:  # another kelurahan's staff (an edited URL) looks like none
            return await show(request, user, t, 404, message="Petugas tidak ditemukan di kelurahan ini.")
        if action not in ACTIONS:
            return await show(request, user, t, 400, message="Permintaan tidak dikenali.")
        link = None
        try:
            if action == "data":
                await set_staff_details(services.sessions, st.id, rank=form.get("pangkat", ""),
                                        nip=form.get("nip", ""))
            elif action in ("nonaktif", "aktif"):
                if user.staff is not None and user.staff.id == st.id:
                    return await show(request, user, t, 400, message="Anda tidak dapat menonaktifkan diri sendiri.")
                await set_staff_active(services.sessions, st.id, action == "aktif")
            elif action == "identitas":
                await add_identity(services.sessions, st.id, form.get("kanal", ""), form.get("id", ""))
            elif action == "hapus-identitas":
                await remove_identity(services.sessions, st.id, form.get("kanal", ""))
            elif login := form.get("login", "").strip():
                link = await create_account(services.sessions, login, st.id, services.clock())
            else:
                link = await reset_link(services.sessions, st.id, services.clock())
        except (DirectoryError, AccountError) as e:
            return await show(request, user, t, 400, message=f"Belum disimpan: {str(e).rstrip('.')}.")
        return await show(request, user, t, message=f"Data petugas {st.name} diperbarui.", ok=True, link=link)
