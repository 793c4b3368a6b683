"""The desk's live view over HTTP: `GET /desk/api/versi` (the own kelurahan's version, or with `?permohonan=ID`
one request's, authorized by `DeskAuth.staff_for`; another kelurahan's request answers 404) and the script
that polls it (`static/live.js`, served from the app, nothing from the internet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, JSONResponse

from bot.desk.auth import DeskUser
from bot.desk.live import VERSI_PATH, kelurahan_versi, request_versi
from bot.desk.pages import STATIC
from bot.untrusted import row_id
from lifecycle.errors import DomainError

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

NO_STORE = {"Cache-Control": "no-store"}


def add_live_routes(router: APIRouter, desk: DeskChannel) -> None:
    services = desk.services

    async def allowed(rid: int, user: DeskUser) -> bool:
        try:
            await desk.auth.staff_for(rid, user)
        except DomainError:
            return False
        return True

    @router.get("/desk/static/live.js", include_in_schema=False)
    async def live_js() -> FileResponse:
        return FileResponse(STATIC / "live.js", media_type="text/javascript",
                            headers={"Cache-Control": "max-age=3600"})

    @router.get(VERSI_PATH)
    async def versi(permohonan: str | None = None, user: DeskUser = Depends(desk.auth.current_staff)
                    ) -> JSONResponse:
        if user.staff is None:
            return JSONResponse({"detail": "Akun pengelola kota tidak menangani permohonan."}, 403, NO_STORE)
        if permohonan is None:
            async with services.sessions() as s:
                return JSONResponse({"versi": await kelurahan_versi(s, user.staff.kelurahan_id)}, headers=NO_STORE)
        rid = row_id(permohonan)
        if rid is None or not await allowed(rid, user):
            return JSONResponse({"detail": "Permohonan tidak ditemukan di kelurahan Anda."}, 404, NO_STORE)
        async with services.sessions() as s:
            return JSONResponse({"versi": await request_versi(s, rid)}, headers=NO_STORE)
