"""The public verification service: `/v/{public_id}`, the upload check, the published keys.

Mount with ``app.include_router(create_verification_router(...))``. Every `/v/` answer
is rate limited per client address (`ratelimit.client_key`); unknown and malformed ids get
the same 404 answer after the same kind of lookup. HTML by default, JSON with
``Accept: application/json``. The upload check is limited in size and CPU (`check_limits`); after it
the banner carries the uploaded file's verdict (`upload_check`). `GET /v?nomor=&tanggal=` finds a
letter by its number and issue date (`lookup`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from config.settings import Settings
from flows.dates import local_date
from verification.check_limits import CHECK_COST, CheckGate, CheckRefused, read_posted_pdf
from verification.checks import check_seal, verdict
from verification.judging import find_letter, judge
from verification.keys import KeyStore
from verification.lookup import add_lookup_route
from verification.pades import PdfSignatureValidator
from verification.public_view import display_dates, letter_view, not_found_view, with_upload
from verification.ratelimit import RateLimiter, client_key
from verification.records import LetterRecordSource
from verification.upload_check import judge_upload, looks_like_pdf

log = logging.getLogger(__name__)

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


class _Templates(Environment):
    """`view.letter.number` reads the dict's key first: Jinja tries an attribute first, which for a dict raises
    and catches an AttributeError at each of the page's ~30 lookups (a third of its rendering time)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


# Compiled once: no reload checks (a template changes with a new release, which restarts the service).
_templates = _Templates(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), auto_reload=False)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _client(request: Request) -> str:
    return client_key(request.client.host if request.client else None)


# The form the check reads by hand (to limit it while it is read), documented for the OpenAPI schema.
_PDF_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["pdf"],
    "properties": {"pdf": {"type": "string", "format": "binary"}}}}}}}


def create_verification_router(
    source: LetterRecordSource,
    keystore: KeyStore,
    validator: PdfSignatureValidator,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    limiter: RateLimiter | None = None,
    gate: CheckGate | None = None,
    on_verdict: Callable[[str], None] = lambda verdict: None,
) -> APIRouter:
    router = APIRouter()
    limiter = limiter if limiter is not None else RateLimiter(settings.verify_rate_limit_per_minute)
    gate = gate if gate is not None else CheckGate()
    letter_page = _templates.get_template("letter.html")

    def respond(request: Request, view: dict[str, Any], status: int, **page: Any) -> Response:
        on_verdict(str(view.get("status", "")))  # (metrics)
        if _wants_json(request):
            return JSONResponse(view, status_code=status, headers=HEADERS)
        html = letter_page.render(view=view, script=FRAGMENT_SCRIPT, **page)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def limited(request: Request, cost: float = 1.0) -> Response | None:
        client = _client(request)
        if limiter.allow(client, cost):
            return None
        headers = {**HEADERS, "Retry-After": str(limiter.retry_after(client, cost))}
        return JSONResponse({"status": "TERLALU BANYAK PERMINTAAN",
                             "message": "Terlalu banyak permintaan; coba lagi sebentar lagi."},
                            status_code=429, headers=headers)

    def refused(e: CheckRefused) -> Response:
        headers = {**HEADERS, **({"Retry-After": str(e.retry_after)} if e.retry_after else {})}
        return JSONResponse(e.body(), status_code=e.code, headers=headers)

    def not_found(request: Request) -> Response:
        return respond(request, not_found_view(settings.city_name), 404)

    def today() -> date:
        return local_date(clock())

    @router.get("/.well-known/esurat-keys.json")
    async def published_keys() -> JSONResponse:
        return JSONResponse(keystore.published(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/v/{public_id}")
    async def show(request: Request, public_id: str, s: str | None = None) -> Response:
        if (blocked := limited(request)) is not None:
            return blocked
        judged = await judge(source, keystore, public_id, s, today())
        if judged is None:
            return not_found(request)
        view = letter_view(judged.record, judged.verdict, judged.seal, today())
        return respond(request, view, 200, dates=display_dates(judged.record), verdict=judged.verdict)

    @router.post("/v/{public_id}/check", openapi_extra=_PDF_FORM)
    async def check_upload(request: Request, public_id: str) -> Response:
        if (blocked := limited(request, CHECK_COST)) is not None:
            return blocked
        record = await find_letter(source, public_id)
        if record is None:
            return not_found(request)
        try:
            async with gate.client(_client(request)):
                data = await read_posted_pdf(request, "pdf", settings.http.max_check_bytes)
                report = None
                if looks_like_pdf(data):
                    async with gate.slot():
                        report = await run_in_threadpool(validator.validate, data)
        except CheckRefused as e:
            return refused(e)
        upload = await judge_upload(data, report, record, source)
        log.info(upload.log_line())
        seal = check_seal(record, None, keystore)
        result = verdict(record, seal, today())
        view = with_upload(letter_view(record, result, seal, today()), upload, record.number)
        return respond(request, view, 200, dates=display_dates(record), verdict=result)

    add_lookup_route(router, source, respond, limited, settings.city_name, today)
    return router
