"""A file the resident uploads in the web chat: read (up to the limit), handed to the upload intake
(`conversation.intake`: size, content, storage), then to the engine.

Whatever happens to the file, the engine's reply is what the resident reads (as on Telegram and WhatsApp):
the JSON answer carries no message of its own, except when the engine was not told (a request with no file,
or one that cannot be read). A file too big is not read: its size (the request's Content-Length, or the
`size` the page sends instead of a file it knows is too big) is all the engine needs, as a platform's
announced size is for the other channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response

import flows
from bot.webchat.http import CHANNEL, Session
from db.filestore import sniff_media_type

if TYPE_CHECKING:
    from bot.composition import Services

UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above the upload limit


def _number(raw: object) -> int:
    return int(raw) if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 16 else 0


async def _tell(services: Services, session: Session, inbound: flows.FileReceived, status: int = 200) -> Response:
    if await services.conversation.handle(CHANNEL, session.id, inbound, display_name="Warga demo"):
        services.metrics.handled(CHANNEL)
    return session.json({"ok": bool(inbound.file_ref)}, status)


async def _unread(services: Services, session: Session, size: int, name: object) -> Response:
    filename = name[:100] if isinstance(name, str) and name else None
    inbound = await services.intake.receive(None, size=size, filename=filename, declared_type="", is_photo=False)
    return await _tell(services, session, inbound, 413)


async def receive_upload(services: Services, session: Session, request: Request) -> Response:
    """Store the posted `file` and tell the engine; a refused file still reaches it (with no reference)."""
    limit = services.intake.max_bytes
    declared = _number(request.headers.get("content-length"))
    if declared > limit + UPLOAD_SLACK:
        return await _unread(services, session, declared, None)  # the form around it is small
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:  # noqa: BLE001 - malformed multipart bodies are the client's problem
        return session.json({"ok": False, "error": "Unggahan tidak dapat dibaca. Silakan coba lagi."}, 400)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        size, name = _number(form.get("size")), form.get("name")
        await form.close()
        if size > limit:  # the page's stand-in for a file it did not send
            return await _unread(services, session, size, name)
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
    return await _tell(services, session, inbound)
