"""A file the resident uploads in the web chat: size-checked, sniffed, stored, then handed to the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response

import flows
from bot.webchat.http import CHANNEL, Session
from db.filestore import ALLOWED, UploadRefused, sniff_media_type
from flows.messages import megabytes

if TYPE_CHECKING:
    from bot.composition import Services

UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above the upload limit


async def receive_upload(services: Services, session: Session, request: Request) -> Response:
    """Store the posted `file` and tell the engine; a refused file still reaches it (with no reference)."""
    limit = services.settings.storage.upload_max_bytes
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > limit + UPLOAD_SLACK:
        # Not even read (its type is unknown): the answer says why; the engine's question stands.
        return session.json({"ok": False, "notice": f"Berkas terlalu besar (maksimal {megabytes(limit)} MB)."}, 413)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:  # noqa: BLE001 - malformed multipart bodies are the client's problem
        return session.json({"ok": False, "error": "Unggahan tidak dapat dibaca. Silakan coba lagi."}, 400)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        await form.close()
        return session.json({"ok": False, "error": "Tidak ada berkas yang dikirim."}, 400)
    try:
        data = await upload.read(limit + 1)
        size = max(upload.size or 0, len(data))
        filename = (upload.filename or "")[:100] or None
        declared_type = (upload.content_type or "").split(";")[0].strip().lower()
    finally:
        await form.close()
    sniffed = sniff_media_type(data)
    media_type = sniffed or (declared_type if declared_type and declared_type not in ALLOWED
                             else "application/octet-stream")
    file_ref, notice = "", None
    try:
        if size > limit:
            raise UploadRefused(f"Berkas terlalu besar (maksimal {megabytes(limit)} MB).")
        async with services.sessions.begin() as s:
            att = await services.uploads.store(s, data, "upload", services.clock(), name=filename,
                                                  declared_type=declared_type)
            file_ref, media_type = str(att.id), att.media_type
    except UploadRefused as e:
        notice = str(e)
    inbound = flows.FileReceived(file_ref=file_ref, media_type=media_type, size=size, filename=filename,
                                 is_photo=media_type.startswith("image/"))
    await services.conversation.handle(CHANNEL, session.id, inbound, display_name="Warga demo")
    return session.json({"ok": bool(file_ref), "notice": notice})
