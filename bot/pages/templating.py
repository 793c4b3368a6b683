"""Jinja2 environment and response headers shared by the public pages and the demo chat.

Everything a page needs is served by the app itself (`/static/...`, `/demo/static/...`);
the Content-Security-Policy allows nothing from elsewhere and no inline script.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

PAGES_DIR = Path(__file__).parent
STATIC_DIR = PAGES_DIR / "static"
TEMPLATES_DIR = PAGES_DIR / "templates"

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@cache
def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def asset_url(prefix: str, directory: Path, name: str) -> str:
    """`prefix/name?v=<content hash>` so that a changed file is never served from a stale cache."""
    return f"{prefix}/{name}?v={_version(directory / name)}"


def environment(extra_dirs: Iterable[Path] = ()) -> Environment:
    env = Environment(
        loader=FileSystemLoader([*extra_dirs, TEMPLATES_DIR]), autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["css_url"] = asset_url("/static", STATIC_DIR, "esurat.css")
    return env


def render(env: Environment, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status, headers=PAGE_HEADERS)
