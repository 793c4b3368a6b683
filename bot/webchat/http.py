"""HTTP plumbing of the web chat: the cookie session, JSON answers, the cross-site check, posted bodies."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.untrusted import BadJson, read_json

CHANNEL = "web"  # this adapter's channel; a session id is the resident's chat id on it
MODERATION_CHAT = "moderation:{slug}"  # the staff pane of a kelurahan: its moderation chat on this channel
COOKIE = "esurat_demo"
SID_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


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


def stored_file(root: Path, relative: str) -> Path | None:
    """The existing file `relative` under `root`, or None (also for a path escaping `root`)."""
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def json_error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store"})


def cross_site(request: Request) -> bool:
    """A POST from another site's page (its Origin is not this host): refused, as the staff pane has no login."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def json_body(request: Request) -> dict[str, Any]:
    """The JSON object posted (only as application/json, which no other site can send without CORS), or {}
    (also for a body that is not JSON, or nests too deep: see `bot.untrusted.parse_json`)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return {}
    try:
        data = await read_json(request)
    except BadJson:
        return {}
    return data if isinstance(data, dict) else {}


def update_id(sid: str, client_id: Any) -> str | None:
    """A retried POST (same client message id) is handled once."""
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        return None
    return hashlib.sha256(f"{sid}:{client_id}".encode()).hexdigest()[:48]

