"""What every request passes before a route sees it: the host name, the proxy headers, the body size.

- `HostGuard`: only the configured host names are served (the public URL's, `ESURAT_HTTP_ALLOWED_HOSTS`, and
  the loopback names; `esurat demo` serves the loopback names only), so a page on another name that
  resolves to this service (DNS rebinding) gets nothing.
- X-Forwarded-For / -Proto are believed only from `ESURAT_HTTP_TRUSTED_PROXIES` (uvicorn's own proxy
  handling is off, see `bot.server`), so a client cannot pick the address the rate limits key on.
- `BodyLimit`: a body larger than its route allows is refused by its Content-Length before it is read,
  and cut off where it passes the limit when it is sent without one.

The parsers of untrusted JSON and ids the routes use are in `bot.untrusted`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.http_errors import http_error, invalid_request
from config.settings import Settings
from db.filestore import human_size

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MULTIPART_SLACK = 64 * 1024  # form overhead allowed above a file's limit


def served_hosts(settings: Settings) -> frozenset[str]:
    if settings.demo:  # the demo's staff pane has no login: never reachable under another name
        return LOOPBACK_HOSTS
    return LOOPBACK_HOSTS | {settings.http.public_host, *settings.http.allowed_hosts} - {""}


def host_name(header: str) -> str:
    """The host of a Host header, lower-cased, without port, brackets or a trailing dot."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") <= 1 else ""


async def refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class HostGuard:
    def __init__(self, app: App, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and host_name(_header(scope, b"host") or "") not in self.hosts:
            await refuse(send, 400, "Nama host ini tidak dilayani oleh e-surat.")
            return
        if scope["type"] == "websocket" and host_name(_header(scope, b"host") or "") not in self.hosts:
            await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """`limit_for(path)`: the most bytes a request body to `path` may have."""

    def __init__(self, app: App, limit_for: Callable[[str], int]) -> None:
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and not declared.strip().isdigit():
            await refuse(send, 400, "Panjang isi permintaan (Content-Length) tidak valid.")
            return
        too_large = f"Isi permintaan terlalu besar (maksimal {human_size(limit)})."
        if declared is not None and int(declared) > limit:
            await refuse(send, 413, too_large)
            return
        seen, over, started = 0, False, False

        async def limited() -> Message:
            nonlocal seen, over
            if over:
                raise BodyTooLarge
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the route's own answer to a body cut short; ours follows
            started = True
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except BodyTooLarge:
            if started:
                raise
        if over and not started:
            await refuse(send, 413, too_large)


def body_limits(settings: Settings) -> Callable[[str], int]:
    """The routes that take a file refuse one above their limit themselves, each with its own answer (by its
    Content-Length, unread); for them this is the cap of a body sent without one: twice their limit."""
    upload = 2 * settings.storage.upload_max_bytes + MULTIPART_SLACK
    check = 2 * settings.http.max_check_bytes + MULTIPART_SLACK
    check_path = re.compile(r"/v/[^/]+/check/?")

    def limit_for(path: str) -> int:
        if path.rstrip("/") == "/demo/api/chat/upload":
            return upload
        if check_path.fullmatch(path):
            return check
        return settings.http.max_body_bytes

    return limit_for


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Add the guards to `app` (the last added runs first: the host check, the proxies, the body limit), and
    the handlers that say the framework's own errors in Indonesian."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)  # (both in `bot.http_errors`)
    app.add_middleware(BodyLimit, limit_for=body_limits(settings))
    if settings.http.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.http.trusted_proxies)
    app.add_middleware(HostGuard, hosts=served_hosts(settings))
