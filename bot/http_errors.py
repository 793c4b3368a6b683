"""Errors said in Indonesian: FastAPI's 422 (a path or query value of the wrong kind) and the reasons of the
errors the framework raises itself (no such route, a method not allowed...)."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

# The default reasons of the errors the framework raises itself (no route, wrong method...), in Indonesian.
_REASONS = {400: "Permintaan tidak valid.", 401: "Perlu masuk terlebih dahulu.", 403: "Akses ditolak.",
            404: "Alamat ini tidak ditemukan.", 405: "Metode permintaan ini tidak didukung di alamat ini.",
            413: "Isi permintaan terlalu besar.", 415: "Jenis isi permintaan tidak didukung.",
            429: "Terlalu banyak permintaan; coba lagi sebentar lagi."}


async def http_error(request: Request, exc: Exception) -> Response:
    """An HTTPException as JSON; the framework's own English reasons said in Indonesian."""
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    detail = exc.detail
    known = exc.status_code in HTTPStatus._value2member_map_
    if known and detail == HTTPStatus(exc.status_code).phrase:
        detail = _REASONS.get(exc.status_code, "Permintaan tidak dapat diproses.")
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 (a path or query value of the wrong kind), said in Indonesian."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = [".".join(str(part) for part in e.get("loc", ())) for e in errors]
    return JSONResponse({"error": "Permintaan tidak valid; periksa: " + (", ".join(fields) or "isi permintaan") + ".",
                         "fields": fields}, status_code=422, headers={"Cache-Control": "no-store"})


