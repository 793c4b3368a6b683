"""Conditional GET for the open API: a strong ETag of the body and the time this process first served it
(Last-Modified), answered 304 when the client already holds it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response


class Versions:
    """When each body (by its ETag) was first served: the Last-Modified of an unchanged body stays put."""

    def __init__(self, limit: int = 1024) -> None:
        self._first_seen: dict[str, datetime] = {}
        self._limit = limit

    def since(self, etag: str, now: datetime) -> datetime:
        if etag not in self._first_seen:
            if len(self._first_seen) >= self._limit:
                self._first_seen.pop(next(iter(self._first_seen)))
            self._first_seen[etag] = now.replace(microsecond=0)
        return self._first_seen[etag]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def conditional(request: Request, body: bytes, *, etag: str, modified: datetime, max_age: int) -> Response:
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
               "Cache-Control": f"public, max-age={max_age}"}
    match = request.headers.get("if-none-match")
    if match is not None:
        if etag in {tag.strip() for tag in match.split(",")} or match.strip() == "*":
            return Response(status_code=304, headers=headers)
    elif (since := request.headers.get("if-modified-since")) is not None:
        try:
            if modified.replace(microsecond=0) <= parsedate_to_datetime(since):
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError):
            pass  # an unreadable date: answer in full
    return Response(body, media_type="application/json", headers=headers)
