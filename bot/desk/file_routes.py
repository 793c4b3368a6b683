"""The desk's private files of one request: an attachment and the draft letter (DRAF). Served only to a
logged-in staff member of the request's kelurahan (`DeskAuth.staff_for`), never cached (no-store); a request
of another kelurahan answers 404, as one that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from bot.desk.auth import DeskUser
from bot.untrusted import row_id
from bot.webchat.http import stored_file
from db.filestore import ALLOWED
from db.models import Attachment
from lifecycle.errors import DomainError

if TYPE_CHECKING:
    from bot.desk.channel import DeskChannel

NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
NOT_FOUND = "Permohonan atau berkas tidak ditemukan di kelurahan Anda."


def add_file_routes(router: APIRouter, desk: DeskChannel) -> None:
    pages, services = desk.pages, desk.services

    def missing(request: Request) -> Response:
        return pages.not_found(request, NOT_FOUND)

    @router.get("/desk/permohonan/{request_id}/draf.pdf")
    async def draft(request: Request, request_id: str, user: DeskUser = Depends(desk.auth.current_staff)
                    ) -> Response:
        rid = row_id(request_id)
        if rid is None or services.preview is None:
            return missing(request)
        try:
            staff = await desk.auth.staff_for(rid, user)
            pdf = await services.preview.draft_pdf(rid, staff)
        except DomainError:
            return missing(request)
        return Response(pdf, media_type="application/pdf",
                        headers={**NO_STORE, "Content-Disposition": f'inline; filename="draf-{rid}.pdf"'})

    @router.get("/desk/permohonan/{request_id}/lampiran/{attachment_id}")
    async def attachment(request: Request, request_id: str, attachment_id: str,
                         user: DeskUser = Depends(desk.auth.current_staff)) -> Response:
        rid, aid = row_id(request_id), row_id(attachment_id)
        if rid is None or aid is None:
            return missing(request)
        try:
            await desk.auth.staff_for(rid, user)
        except DomainError:
            return missing(request)
        async with services.sessions() as s:
            att = await s.scalar(select(Attachment).where(Attachment.id == aid, Attachment.request_id == rid))
        path = stored_file(services.settings.storage.uploads_dir, att.path) if att is not None else None
        if att is None or path is None:
            return missing(request)
        headers = {**NO_STORE, "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox"}
        disposition = "inline" if att.media_type.startswith("image/") else "attachment"
        return FileResponse(path, media_type=att.media_type,
                            filename=f"{att.kind}-{att.id}.{ALLOWED.get(att.media_type, 'bin')}",
                            content_disposition_type=disposition, headers=headers)
