"""The local web chat (`/demo`): a channel adapter like the Telegram one, over the same
conversation engine and the same moderation service, for trying e-surat without any account.

Channel "web"; a browser session is an unguessable id in an HttpOnly cookie, and that id
is the resident's chat id. Whatever the engine and the lifecycle tell the resident is an
outbox row (channel "web", chat id = the session id): the browser polls
`/demo/api/chat/messages?after=<id>`, and each row shown is marked sent, so the outbox is
this channel's delivery log. The staff pane acts as the seeded demo staff member of the
chosen kelurahan; its cards are those posted to "moderation:<slug>" on channel "web".

Only served when the service runs in demo mode (`esurat demo`): elsewhere every route is 404.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy import func, or_, select

import flows
from bot.pages.templating import asset_url, environment, render
from bot.webchat.seed import DEMO_STAFF_NAME, demo_staff_of
from db.directory import list_kelurahan
from db.filestore import ALLOWED, UploadRefused, sniff_media_type
from db.models import Attachment, Letter, LetterRequest, ModerationPost, OutboxMessage, Resident
from db.outbox import mark_sent
from lifecycle.errors import DomainError
from lifecycle.notifications import WEB_MODERATION
from moderation.service import ACTIONS, NEEDS_TEXT, Card
from verification.seal import qr_url

if TYPE_CHECKING:
    from bot.composition import Services

log = logging.getLogger("esurat.webchat")

CHANNEL = "web"
COOKIE = "esurat_demo"
SID_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
SAMPLE_KTP = "ktp-contoh.png"
DEFAULT_KELURAHAN = "bukit-tunggal"
MAX_TEXT = 2000
MAX_VALUE = 64
MAX_NOTE = 1000
PAGE = 200  # outbox rows per poll
CARDS = 50  # newest cards shown in the staff pane
UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above the upload limit


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".0", "").replace(".", ",")


class Session:
    """The browser's session id, and whether it was just made (then the cookie is set)."""

    def __init__(self, request: Request) -> None:
        given = request.cookies.get(COOKIE, "")
        self.new = not SID_RE.fullmatch(given)
        self.id = secrets.token_urlsafe(32) if self.new else given
        self.secure = request.url.scheme == "https"

    def respond(self, response: Response) -> Response:
        if self.new:
            response.set_cookie(COOKIE, self.id, httponly=True, samesite="lax", secure=self.secure, path="/demo",
                                max_age=30 * 24 * 3600)
        return response

    def json(self, data: dict[str, Any], status: int = 200) -> Response:
        return self.respond(JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"}))


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


def _cross_site(request: Request) -> bool:
    """A POST from another site's page (its Origin is not this host): refused, as the staff pane has no login."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object posted (only as application/json, which no other site can send without CORS), or {}."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return {}
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _update_id(sid: str, client_id: Any) -> str | None:
    """A retried POST (same client message id) is handled once."""
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        return None
    return hashlib.sha256(f"{sid}:{client_id}".encode()).hexdigest()[:48]


def card_json(card: Card, slug: str) -> dict[str, Any]:
    return {
        "request_id": card.request_id, "code": card.code, "title": card.title, "kelurahan": card.kelurahan,
        "status": card.status, "lines": [list(line) for line in card.lines], "text": card.text(),
        "outcome": card.outcome,
        "actions": [{"action": a, "label": label, "needs_text": NEEDS_TEXT.get(a)} for a, label in card.actions],
        "attachments": [
            {"id": a.id, "kind": a.kind, "media_type": a.media_type,
             "url": f"/demo/api/staff/{slug}/attachments/{a.id}"} for a in card.attachments
        ],
    }


def create_webchat_router(services: Services) -> APIRouter:
    settings = services.settings
    conversation = services.conversation
    moderation = services.moderation
    sessions = services.sessions
    env = environment([TEMPLATES_DIR])

    def demo_only(request: Request) -> None:
        if not services.settings.demo:
            raise HTTPException(status_code=404)
        if request.method == "POST" and _cross_site(request):
            raise HTTPException(status_code=403, detail="Permintaan dari situs lain ditolak.")

    router = APIRouter(prefix="/demo", dependencies=[Depends(demo_only)])

    # -- the page ---------------------------------------------------------------------------
    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, kelurahan: str = DEFAULT_KELURAHAN) -> Response:
        session = Session(request)
        kels = await list_kelurahan(sessions)
        slugs = {k.slug for k in kels}
        chosen = kelurahan if kelurahan in slugs else DEFAULT_KELURAHAN
        response = render(
            env, "demo.html", page="demo", demo=True, city=settings.city_name, kelurahan=kels, chosen=chosen,
            staff_name=DEMO_STAFF_NAME, max_bytes=settings.upload_max_bytes, max_mb=_mb(settings.upload_max_bytes),
            js_url=asset_url("/demo/static", STATIC_DIR, "demo.js"),
            sample_url=asset_url("/demo/static", STATIC_DIR, SAMPLE_KTP),
        )
        return session.respond(response)

    # -- resident side ----------------------------------------------------------------------
    async def feed(session: Session, inbound: Any, body: dict[str, Any] | None = None) -> Response:
        update_id = _update_id(session.id, (body or {}).get("client_id"))
        handled = await conversation.handle(CHANNEL, session.id, inbound, update_id=update_id,
                                            display_name="Warga demo")
        return session.json({"ok": True, "handled": handled})

    @router.post("/api/chat/message")
    async def chat_message(request: Request) -> Response:
        body = await _body(request)
        text = body.get("text")
        text = text if isinstance(text, str) else ""
        return await feed(Session(request), flows.Text(text=text.strip()[:MAX_TEXT]), body)

    @router.post("/api/chat/choice")
    async def chat_choice(request: Request) -> Response:
        body = await _body(request)
        value = body.get("value")
        value = value[:MAX_VALUE] if isinstance(value, str) else ""
        return await feed(Session(request), flows.ChoiceMade(value=value), body)

    @router.post("/api/chat/upload")
    async def chat_upload(request: Request) -> Response:
        session = Session(request)
        limit = settings.upload_max_bytes
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        if declared > limit + UPLOAD_SLACK:
            # Not even read (its type is unknown): the answer says why; the engine's question stands.
            return session.json({"ok": False, "notice": f"Berkas terlalu besar (maksimal {_mb(limit)} MB)."}, 413)
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
                raise UploadRefused(f"Berkas terlalu besar (maksimal {_mb(limit)} MB).")
            async with sessions.begin() as s:
                att = await services.uploads.store(s, data, "upload", services.clock())
                file_ref, media_type = str(att.id), att.media_type
        except UploadRefused as e:
            notice = str(e)
        inbound = flows.FileReceived(file_ref=file_ref, media_type=media_type, size=size, filename=filename,
                                     is_photo=media_type.startswith("image/"))
        await conversation.handle(CHANNEL, session.id, inbound, display_name="Warga demo")
        return session.json({"ok": bool(file_ref), "notice": notice})

    async def render_row(row: OutboxMessage, resident_id: int | None) -> dict[str, Any]:
        p = row.payload or {}
        kind = p.get("type")
        if kind == "document":
            out: dict[str, Any] = {"id": row.id, "type": "document", "caption": p.get("caption") or "",
                                   "filename": p.get("filename") or "surat.pdf"}
            async with sessions() as s:
                letter = await s.get(Letter, p.get("letter_id"))
                owner = await s.scalar(select(LetterRequest.resident_id).where(
                    LetterRequest.id == letter.request_id)) if letter else None
            if letter is not None and owner == resident_id:
                out["url"] = f"/demo/api/letters/{letter.id}.pdf"
                out["number"] = letter.number
                out["verify_url"] = qr_url(settings.public_url, letter.public_id, letter.seal)
                out["verify_page"] = f"{settings.public_url.rstrip('/')}/v/{letter.public_id}"
            return out
        choices = [{"value": str(c.get("value", "")), "title": str(c.get("title", ""))}
                   for c in p.get("choices") or [] if isinstance(c, dict)]
        return {"id": row.id, "type": "text", "text": str(p.get("text") or ""), "choices": choices,
                "style": p.get("style") or "buttons"}

    @router.get("/api/chat/messages")
    async def chat_messages(request: Request, after: int = 0) -> Response:
        session = Session(request)
        if session.new:
            return session.json({"messages": [], "cursor": 0})
        async with sessions() as s:
            resident_id = await s.scalar(select(Resident.id).where(
                Resident.channel == CHANNEL, Resident.external_id == session.id))
            # Also rows still pending below the cursor: a transaction that took its id earlier
            # may commit after a later one was shown.
            rows = list(await s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == session.id,
                    or_(OutboxMessage.id > after, OutboxMessage.status == "pending"),
                ).order_by(OutboxMessage.id).limit(PAGE)
            ))
        messages = [await render_row(row, resident_id) for row in rows]
        now = services.clock()
        for row in rows:
            if row.status == "pending":
                await mark_sent(sessions, row.id, now, {"delivered": "web"})
        cursor = max([after, *(r.id for r in rows)])
        return session.json({"messages": messages, "cursor": cursor})

    @router.get("/api/letters/{name}")
    async def letter_pdf(request: Request, name: str) -> Response:
        session = Session(request)
        stem, dot, ext = name.partition(".")
        if session.new or ext != "pdf" or not dot or not stem.isdigit():
            return _error("Surat tidak ditemukan.", 404)
        async with sessions() as s:
            found = (await s.execute(
                select(Letter).join(LetterRequest, LetterRequest.id == Letter.request_id)
                .join(Resident, Resident.id == LetterRequest.resident_id)
                .where(Letter.id == int(stem), Resident.channel == CHANNEL, Resident.external_id == session.id)
            )).scalar_one_or_none()
        if found is None:
            return _error("Surat tidak ditemukan.", 404)
        root = settings.letters_dir.resolve()
        path = (root / found.pdf_path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return _error("Berkas surat belum tersedia.", 404)
        filename = f"surat-{found.letter_type}-{found.id}.pdf"
        return FileResponse(path, media_type="application/pdf", filename=filename,
                            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

    # -- staff side -------------------------------------------------------------------------
    async def demo_staff(slug: str) -> tuple[Any, Any] | JSONResponse:
        async with sessions() as s:
            pair = await demo_staff_of(s, slug)
        if pair is None:
            kels = {k.slug for k in await list_kelurahan(sessions)}
            if slug not in kels:
                return _error("Kelurahan tidak dikenal.", 404)
            return _error("Belum ada petugas demo untuk kelurahan ini (jalankan `esurat demo`).", 409)
        return pair

    @router.get("/api/staff/{slug}/cards")
    async def staff_cards(slug: str, after: int = 0) -> Response:
        pair = await demo_staff(slug)
        if isinstance(pair, JSONResponse):
            return pair
        kel, staff = pair
        chat = WEB_MODERATION.format(slug=slug)
        async with sessions() as s:
            cursor = await s.scalar(select(func.max(OutboxMessage.id)).where(
                OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == chat)) or 0
            pending = list(await s.scalars(select(OutboxMessage.id).where(
                OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == chat, OutboxMessage.status == "pending",
            ).order_by(OutboxMessage.id)))
            request_ids = [] if (after and cursor <= after and not pending) else list(await s.scalars(
                select(ModerationPost.request_id).where(
                    ModerationPost.channel == CHANNEL, ModerationPost.chat_id == chat,
                ).order_by(ModerationPost.id.desc()).limit(CARDS)
            ))
        who = {"id": staff.id, "name": staff.name, "demo": staff.demo, "kelurahan": kel.name, "slug": kel.slug}
        if after and cursor <= after and not pending:
            return JSONResponse({"staff": who, "cursor": cursor, "cards": None}, headers={"Cache-Control": "no-store"})
        cards = [card_json(await moderation.card(rid), slug) for rid in dict.fromkeys(request_ids)]
        now = services.clock()
        for row_id in pending:
            await mark_sent(sessions, row_id, now, {"delivered": "web"})
        return JSONResponse({"staff": who, "cursor": cursor, "cards": cards}, headers={"Cache-Control": "no-store"})

    @router.post("/api/staff/{slug}/act")
    async def staff_act(slug: str, request: Request) -> Response:
        body = await _body(request)
        action, request_id, text = body.get("action"), body.get("request_id"), body.get("text")
        if action not in ACTIONS:
            return _error("Tindakan tidak dikenal.", 400)
        if isinstance(request_id, str) and request_id.isdigit():
            request_id = int(request_id)
        if not isinstance(request_id, int) or isinstance(request_id, bool) or request_id <= 0:
            return _error("Nomor permohonan tidak valid.", 400)
        text = text.strip()[:MAX_NOTE] if isinstance(text, str) else ""
        if action in NEEDS_TEXT and not text:
            return _error(f"{NEEDS_TEXT[action]}.", 422)
        pair = await demo_staff(slug)
        if isinstance(pair, JSONResponse):
            return pair
        _, demo = pair
        try:
            staff = await moderation.staff_for(request_id, staff_id=demo.id)
            req = await moderation.act(request_id, staff, action, text or None)
        except DomainError as e:
            return _error(str(e), 409)
        card = card_json(await moderation.card(request_id), slug)
        return JSONResponse({"ok": True, "status": req.status, "card": card}, headers={"Cache-Control": "no-store"})

    @router.get("/api/staff/{slug}/attachments/{attachment_id}")
    async def staff_attachment(slug: str, attachment_id: int) -> Response:
        pair = await demo_staff(slug)
        if isinstance(pair, JSONResponse):
            return pair
        kel, _ = pair
        async with sessions() as s:
            att = (await s.execute(
                select(Attachment).join(LetterRequest, LetterRequest.id == Attachment.request_id)
                .where(Attachment.id == attachment_id, LetterRequest.kelurahan_id == kel.id)
            )).scalar_one_or_none()
        if att is None:
            return _error("Lampiran tidak ditemukan.", 404)
        root = settings.uploads_dir.resolve()
        path = (root / att.path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return _error("Lampiran tidak ditemukan.", 404)
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                   "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox"}
        ext = ALLOWED.get(att.media_type, "bin")
        disposition = "inline" if att.media_type.startswith("image/") else "attachment"
        return FileResponse(path, media_type=att.media_type, filename=f"{att.kind}-{att.id}.{ext}",
                            content_disposition_type=disposition, headers=headers)

    return router
