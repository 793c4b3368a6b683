"""`/periksa`: an offline verifier of a letter's QR code, in the browser.

The page reads the QR (camera through BarcodeDetector where the browser has it, else the bundled jsQR;
or a photo, or pasted text), checks the seal's Ed25519 signature with WebCrypto against the keys
published at ``/.well-known/esurat-keys.json`` (see `verification.seal`), and, when online, asks
``/v/{id}`` (JSON) whether the letter is revoked. A service worker (``/periksa-sw.js``, scope
``/periksa``) keeps the page, its scripts and the keys for use without a connection.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from bot.pages.templating import PAGE_HEADERS, STATIC_DIR, asset_url, render

KEYS_URL = "/.well-known/esurat-keys.json"
SW_URL = "/periksa-sw.js"
SCOPE = "/periksa"
# The page registers a worker; everything else as on the other public pages.
HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"] + "; worker-src 'self'"}


def assets() -> dict[str, str]:
    return {name: asset_url("/static", STATIC_DIR, path) for name, path in (
        ("page_js", "periksa.js"), ("jsqr_js", "vendor/jsqr/jsQR.js"), ("periksa_css", "periksa.css"),
        ("css_url", "esurat.css"))}


def worker_script(urls: dict[str, str]) -> str:
    """The service worker: the list of what it keeps (versioned URLs) on its first line, so that a changed
    asset makes a changed worker, which the browser then installs."""
    precache = [SCOPE, *sorted(urls.values()), KEYS_URL]
    body = (STATIC_DIR / "periksa-sw.js").read_text()
    version = hashlib.sha256((json.dumps(precache) + body).encode()).hexdigest()[:10]
    return f"const PRECACHE = {json.dumps(precache)};\nconst VERSION = {json.dumps(version)};\n{body}"


def seal_titles(letter_types: dict[str, str]) -> str:
    """The letter types' titles by their code as a seal writes it (`sktm` -> `SKTM`), as JSON for the page."""
    titles = {code.upper().replace("_", "-"): title for code, title in letter_types.items()}
    return json.dumps(titles, ensure_ascii=False, sort_keys=True)


def register_periksa_page(router: APIRouter, env: Environment, common: dict[str, Any],
                          letter_types: dict[str, str]) -> None:
    """`letter_types`: title by code, shown for the code a seal carries (also offline)."""
    urls = assets()
    worker = worker_script(urls)
    context: dict[str, Any] = {**common, **urls, "page": "periksa", "sw_url": SW_URL, "scope": SCOPE,
                               "keys_url": KEYS_URL, "titles": seal_titles(letter_types)}

    @router.get(SCOPE, response_class=HTMLResponse)
    async def periksa() -> HTMLResponse:
        page = render(env, "periksa.html", 200, **context)
        page.headers.update(HEADERS)
        return page

    @router.get(SW_URL, include_in_schema=False)
    async def service_worker() -> Response:
        return Response(worker, media_type="text/javascript", headers={
            "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'self'"})
