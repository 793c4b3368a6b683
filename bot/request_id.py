"""The request id: every HTTP request gets one, sent back in the `X-Request-ID` response header and added as
`request_id` to every log record written while the request is handled (uvicorn's access line included:
`bot.logging_setup` reads `current()`), so that a client's report or a proxy's log finds the service's lines.

A client's (or proxy's) own `X-Request-ID` is kept when it is well-formed: 1 to 64 characters of
`[A-Za-z0-9._-]`; anything else is replaced by a new id (32 hex digits). Pure ASGI and cheap: one pass over
the request headers, one header added to the response, a context variable set and reset.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
WELL_FORMED = re.compile(rb"[A-Za-z0-9._-]{1,64}")

_current: ContextVar[str | None] = ContextVar("esurat_request_id", default=None)


def current() -> str | None:
    """The id of the request being handled here, or None outside a request (workers, start-up)."""
    return _current.get()


def new_request_id() -> bytes:
    return os.urandom(16).hex().encode()


class RequestId:
    """The outermost middleware (`bot.web.create_app`), so that even a refused request's answer has its id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid: bytes | None = None
        for key, value in scope["headers"]:
            if key == HEADER:
                rid = value if WELL_FORMED.fullmatch(value) else None
                break
        if rid is None:
            rid = new_request_id()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (HEADER, rid)]
            await send(message)

        token = _current.set(rid.decode("ascii"))
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
