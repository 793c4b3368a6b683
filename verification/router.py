"""The public verification service: `/v/{public_id}`, the upload check, the published keys.

Mount with ``app.include_router(create_verification_router(...))``. Every `/v/` answer
is rate limited per client address; unknown and malformed ids get the same 404 answer
after the same kind of lookup. HTML by default, JSON with ``Accept: application/json``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from config.settings import Settings
from flows.dates import local_date
from verification.checks import check_seal, verdict
from verification.keys import KeyStore
from verification.pades import PdfSignatureValidator
from verification.public_view import display_dates, letter_view, not_found_view, upload_view
from verification.ratelimit import RateLimiter
from verification.records import PUBLIC_ID_RE, LetterRecord, LetterRecordSource

# Moves the seal from the URL fragment (which browsers never send) into ?s= so the
# server checks it. Allowed by the CSP through its hash; no other script runs.
FRAGMENT_SCRIPT = (
    "(function(){var h=location.hash.slice(1);if(!h||/[?&]s=/.test(location.search))return;"
    "try{h=decodeURIComponent(h)}catch(e){return}"
    "location.replace(location.pathname+'?s='+encodeURIComponent(h));})();"
)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(FRAGMENT_SCRIPT.encode()).digest()).decode()
HEADERS = {
    "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_DUMMY_ID = "A" * 26
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_verification_router(
    source: LetterRecordSource,
    keystore: KeyStore,
    validator: PdfSignatureValidator,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    limiter: RateLimiter | None = None,
) -> APIRouter:
    router = APIRouter()
    limiter = limiter if limiter is not None else RateLimiter(settings.verify_rate_limit_per_minute)

    def respond(request: Request, view: dict[str, Any], status: int, **page: Any) -> Response:
        if _wants_json(request):
            return JSONResponse(view, status_code=status, headers=HEADERS)
        html = _templates.get_template("letter.html").render(view=view, script=FRAGMENT_SCRIPT, **page)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    async def lookup(public_id: str) -> LetterRecord | None:
        well_formed = PUBLIC_ID_RE.fullmatch(public_id) is not None
        record = await source.get_by_public_id(public_id if well_formed else _DUMMY_ID)
        return record if well_formed and record is not None and hmac.compare_digest(
            record.public_id, public_id) else None

    def limited(request: Request) -> Response | None:
        client = _client(request)
        if limiter.allow(client):
            return None
        headers = {**HEADERS, "Retry-After": str(limiter.retry_after(client))}
        return JSONResponse({"status": "TERLALU BANYAK PERMINTAAN"}, status_code=429, headers=headers)

    def not_found(request: Request) -> Response:
        return respond(request, not_found_view(), 404)

    def today() -> date:
        return local_date(clock())

    @router.get("/.well-known/esurat-keys.json")
    async def published_keys() -> JSONResponse:
        return JSONResponse(keystore.published(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/v/{public_id}")
    async def show(request: Request, public_id: str, s: str | None = None) -> Response:
        if (blocked := limited(request)) is not None:
            return blocked
        record = await lookup(public_id)
        if record is None:
            return not_found(request)
        seal = check_seal(record, s, keystore)
        result = verdict(record, seal)
        view = letter_view(record, result, seal, today())
        return respond(request, view, 200, dates=display_dates(record), verdict=result)

    @router.post("/v/{public_id}/check")
    async def check_upload(request: Request, public_id: str, pdf: UploadFile) -> Response:
        if (blocked := limited(request)) is not None:
            return blocked
        record = await lookup(public_id)
        if record is None:
            return not_found(request)
        data = await pdf.read(settings.storage.upload_max_bytes + 1)
        if len(data) > settings.storage.upload_max_bytes:
            return JSONResponse({"status": "BERKAS TERLALU BESAR"}, status_code=413, headers=HEADERS)
        identical = hmac.compare_digest(hashlib.sha256(data).hexdigest(), record.pdf_sha256)
        report = await run_in_threadpool(validator.validate, data)
        seal = check_seal(record, None, keystore)
        result = verdict(record, seal)
        view = letter_view(record, result, seal, today()) | {"upload": upload_view(identical, report)}
        return respond(request, view, 200, dates=display_dates(record), verdict=result)

    return router
