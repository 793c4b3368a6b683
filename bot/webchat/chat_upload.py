"""A file the resident uploads in the web chat: read (up to the limit), handed to the upload intake
(`conversation.intake`: size, content, storage), then to the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response

from bot.webchat.http import CHANNEL, Session
from db.filestore import sniff_media_type
from flows.messages import megabytes

if TYPE_CHECKING:
    from bot.composition import Services

UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above the upload limit


async def receive_upload(services: Services, session: Session, request: Request) -> Response:
    """Store the posted `file` and tell the engine; a refused file still reaches it (with no reference)."""
    limit = services.intake.max_bytes
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
    inbound = await services.intake.receive(data, size=size, filename=filename, declared_type=declared_type,
                                            is_photo=(sniff_media_type(data) or "").startswith("image/"))
    await services.conversation.handle(CHANNEL, session.id, inbound, display_name="Warga demo")
    return session.json({"ok": bool(inbound.file_ref), "notice": inbound.refused})
