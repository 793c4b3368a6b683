"""The resident's side of the web chat: the /demo page, chat input (text, choice, file), the messages feed
from the outbox, and the download of the resident's own letter PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select

import flows
from bot.pages.templating import asset_url, environment, render
from bot.untrusted import ROW_ID_MAX, row_id
from bot.webchat.chat_upload import receive_upload
from bot.webchat.http import CHANNEL, Session, json_body, json_error, stored_file, update_id
from bot.webchat.outbox_feed import messages_after
from bot.webchat.seed import DEMO_STAFF_NAME
from db.directory import list_kelurahan
from db.models import Letter, LetterRequest, Resident
from flows.messages import megabytes

if TYPE_CHECKING:
    from bot.composition import Services

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
SAMPLE_KTP = "ktp-contoh.png"
DEFAULT_KELURAHAN = "bukit-tunggal"
MAX_TEXT = 2000  # the one limit of a typed message: the page is given it (and `TOO_LONG`), the API holds to it
MAX_VALUE = 64
TOO_LONG = f"Pesan terlalu panjang (maksimal {MAX_TEXT:,} karakter).".replace(",", ".")


def add_resident_routes(router: APIRouter, services: Services) -> None:
    """Register the resident's routes on the /demo router."""
    settings = services.settings
    upload_limit = settings.storage.upload_max_bytes
    conversation = services.conversation
    sessions = services.sessions
    env = environment([TEMPLATES_DIR])

    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, kelurahan: str = DEFAULT_KELURAHAN) -> Response:
        session = Session(request)
        kels = await list_kelurahan(sessions)
        slugs = {k.slug for k in kels}
        chosen = kelurahan if kelurahan in slugs else DEFAULT_KELURAHAN
        response = render(
            env, "demo.html", page="demo", demo=True, city=settings.city_name, kelurahan=kels, chosen=chosen,
            staff_name=DEMO_STAFF_NAME, max_bytes=upload_limit, max_mb=megabytes(upload_limit),
            max_text=MAX_TEXT, too_long=TOO_LONG,
            js_url=asset_url("/demo/static", STATIC_DIR, "demo.js"),
            demo_css_url=asset_url("/demo/static", STATIC_DIR, "demo.css"),
            sample_url=asset_url("/demo/static", STATIC_DIR, SAMPLE_KTP),
        )
        return session.respond(response)

    async def feed(session: Session, inbound: Any, body: dict[str, Any] | None = None) -> Response:
        retry_key = update_id(session.id, (body or {}).get("client_id"))
        handled = await conversation.handle(CHANNEL, session.id, inbound, update_id=retry_key,
                                            display_name="Warga demo")
        if handled:  # (a retried POST is handled once, and counted once)
            services.metrics.handled(CHANNEL)
        return session.json({"ok": True, "handled": handled})

    @router.post("/api/chat/message")
    async def chat_message(request: Request) -> Response:
        body = await json_body(request)
        text = body.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if len(text) > MAX_TEXT:  # said, not cut: the engine's question stands
            return Session(request).json({"ok": False, "error": TOO_LONG}, 422)
        return await feed(Session(request), flows.Text(text=text), body)

    @router.post("/api/chat/choice")
    async def chat_choice(request: Request) -> Response:
        body = await json_body(request)
        value = body.get("value")
        value = value[:MAX_VALUE] if isinstance(value, str) else ""
        return await feed(Session(request), flows.ChoiceMade(value=value), body)

    @router.post("/api/chat/upload")
    async def chat_upload(request: Request) -> Response:
        return await receive_upload(services, Session(request), request)

    @router.get("/api/chat/messages")
    async def chat_messages(request: Request, after: int = 0) -> Response:
        session = Session(request)
        if session.new:
            return session.json({"messages": [], "cursor": 0})
        return session.json(await messages_after(services, session, min(max(after, 0), ROW_ID_MAX)))

    @router.get("/api/letters/{name}")
    async def letter_pdf(request: Request, name: str) -> Response:
        session = Session(request)
        stem, dot, ext = name.partition(".")
        letter_id = row_id(stem)
        if session.new or ext != "pdf" or not dot or letter_id is None:
            return json_error("Surat tidak ditemukan.", 404)
        async with sessions() as s:
            found = (await s.execute(
                select(Letter).join(LetterRequest, LetterRequest.id == Letter.request_id)
                .join(Resident, Resident.id == LetterRequest.resident_id)
                .where(Letter.id == letter_id, Resident.channel == CHANNEL, Resident.external_id == session.id)
            )).scalar_one_or_none()
        if found is None:
            return json_error("Surat tidak ditemukan.", 404)
        path = stored_file(settings.storage.letters_dir, found.pdf_path)
        if path is None:
            return json_error("Berkas surat belum tersedia.", 404)
        filename = f"surat-{found.letter_type}-{found.id}.pdf"
        return FileResponse(path, media_type="application/pdf", filename=filename,
                            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

