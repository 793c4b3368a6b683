"""The staff side of the web chat: the moderation cards posted to "moderation:<slug>" on channel "web",
acting on them as the kelurahan's seeded demo staff member, and the attachments they show."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import func, select

from bot.untrusted import ROW_ID_MAX, row_id
from bot.webchat.http import CHANNEL, MODERATION_CHAT, json_body, json_error, stored_file
from bot.webchat.seed import demo_staff_of
from db.directory import list_kelurahan
from db.filestore import ALLOWED
from db.models import Attachment, LetterRequest, ModerationPost, OutboxMessage
from db.outbox import OutboxStatus, mark_sent
from lifecycle.errors import DomainError
from lifecycle.follow_ups import ISSUE_LETTER, key_of
from moderation.service import ALL_ACTIONS, NEEDS_TEXT, Card

if TYPE_CHECKING:
    from bot.composition import Services

MAX_NOTE = 1000
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # a kelurahan slug; anything else is not looked up
CARDS = 50  # newest cards shown in the staff pane


def card_json(card: Card, slug: str) -> dict[str, Any]:
    return {
        "request_id": card.request_id, "code": card.code, "title": card.title, "kelurahan": card.kelurahan,
        "status": card.status, "lines": [list(line) for line in card.lines], "text": card.text(limit=None),
        "groups": [{"label": g.label, "columns": g.columns, "rows": g.rows} for g in card.groups],
        "changes": card.changes, "submitted": card.submitted, "outcome": card.outcome,
        "actions": [{"action": a, "label": label, "needs_text": NEEDS_TEXT.get(a)} for a, label in card.actions],
        "attachments": [
            {"id": a.id, "kind": a.kind, "label": a.label, "change": a.change, "media_type": a.media_type,
             "url": f"/demo/api/staff/{slug}/attachments/{a.id}"} for a in card.attachments
        ],
    }


def add_staff_routes(router: APIRouter, services: Services) -> None:
    """Register the staff pane's routes on the /demo router."""
    settings = services.settings
    moderation = services.moderation
    sessions = services.sessions

    async def demo_staff(slug: str) -> tuple[Any, Any] | JSONResponse:
        if not SLUG_RE.fullmatch(slug):
            return json_error("Kelurahan tidak dikenal.", 404)
        async with sessions() as s:
            pair = await demo_staff_of(s, slug)
        if pair is None:
            kels = {k.slug for k in await list_kelurahan(sessions)}
            if slug not in kels:
                return json_error("Kelurahan tidak dikenal.", 404)
            return json_error("Belum ada petugas demo untuk kelurahan ini (jalankan `esurat demo`).", 409)
        return pair

    @router.get("/api/staff/{slug}/cards")
    async def staff_cards(slug: str, after: int = 0) -> Response:
        pair = await demo_staff(slug)
        if isinstance(pair, JSONResponse):
            return pair
        kel, staff = pair
        chat = MODERATION_CHAT.format(slug=slug)
        after = min(max(after, 0), ROW_ID_MAX)
        async with sessions() as s:
            cursor = await s.scalar(select(func.max(OutboxMessage.id)).where(
                OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == chat)) or 0
            pending = list(await s.scalars(select(OutboxMessage.id).where(
                OutboxMessage.channel == CHANNEL, OutboxMessage.chat_id == chat,
                OutboxMessage.status == OutboxStatus.PENDING,
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
        for outbox_id in pending:
            await mark_sent(sessions, outbox_id, now, {"delivered": "web"})
        return JSONResponse({"staff": who, "cursor": cursor, "cards": cards}, headers={"Cache-Control": "no-store"})

    @router.post("/api/staff/{slug}/act")
    async def staff_act(slug: str, request: Request) -> Response:
        body = await json_body(request)
        action, request_id, text = body.get("action"), row_id(body.get("request_id")), body.get("text")
        if not isinstance(action, str) or action not in ALL_ACTIONS:
            return json_error("Tindakan tidak dikenal.", 400)
        if request_id is None:
            return json_error("Nomor permohonan tidak valid.", 400)
        text = text.strip()[:MAX_NOTE] if isinstance(text, str) else ""
        if action in NEEDS_TEXT and not text:
            return json_error(f"{NEEDS_TEXT[action]}.", 422)
        pair = await demo_staff(slug)
        if isinstance(pair, JSONResponse):
            return pair
        _, demo = pair
        try:
            staff = await moderation.staff_for(request_id, staff_id=demo.id)
            req = await moderation.act(request_id, staff, action, text or None)
        except DomainError as e:
            return json_error(str(e), 409)
        if action == "approve":  # answer with the letter issued: run its follow-up now (or wait for it)
            await services.follow_ups.expedite(key_of(ISSUE_LETTER, request_id))
        card = card_json(await moderation.card(request_id), slug)
        return JSONResponse({"ok": True, "status": req.status, "card": card}, headers={"Cache-Control": "no-store"})

    @router.get("/api/staff/{slug}/attachments/{attachment_id}")
    async def staff_attachment(slug: str, attachment_id: int) -> Response:
        if row_id(attachment_id) is None:
            return json_error("Lampiran tidak ditemukan.", 404)
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
            return json_error("Lampiran tidak ditemukan.", 404)
        path = stored_file(settings.storage.uploads_dir, att.path)
        if path is None:
            return json_error("Lampiran tidak ditemukan.", 404)
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                   "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox"}
        ext = ALLOWED.get(att.media_type, "bin")
        disposition = "inline" if att.media_type.startswith("image/") else "attachment"
        return FileResponse(path, media_type=att.media_type, filename=f"{att.kind}-{att.id}.{ext}",
                            content_disposition_type=disposition, headers=headers)

