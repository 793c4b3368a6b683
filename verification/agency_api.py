"""`POST /api/v1/verifikasi`: other agencies' systems check up to 100 letters a call, with their API key.

Mount with ``app.include_router(create_agency_router(...))``. The key (`verification.agencies`) comes in
``Authorization: Bearer <key>`` or ``X-API-Key``; none, an unknown or a revoked one: 401, no data, a
warning in the log (never the key). Each key may make `Settings.agency_rate_per_minute` calls a minute
(bursts of `agency_rate_burst`), else 429 with Retry-After; and each client address `ADDRESS_FACTOR` times
that, keys or none, so that guessing keys costs no more than a few lookups a second. Each letter gets the
verdict the public page gives (`verification.judging`) and the masked fields it shows
(`verification.public_view`). Every call answered to an agency leaves one audit row with counts only
(`agencies.audit_call`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config.settings import Settings
from flows.dates import local_date
from verification.agencies import agency_for_key, audit_call
from verification.agency_models import MAX_ITEM_CHARS, MAX_ITEMS, ApiError, VerifyRequest, VerifyResponse
from verification.checks import Verdict
from verification.judging import judge, presented
from verification.keys import KeyStore
from verification.public_view import letter_view, not_found_view
from verification.ratelimit import RateLimiter, client_key
from verification.records import LetterRecordSource

log = logging.getLogger(__name__)
PATH = "/api/v1/verifikasi"
ADDRESS_FACTOR = 10
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
UNAUTHORIZED = ("Kunci API tidak ada, tidak dikenal atau sudah dicabut. Kirim kunci instansi Anda dalam "
                "header Authorization: Bearer <kunci> (atau X-API-Key: <kunci>).")
TOO_MANY_CALLS = "Terlalu banyak permintaan dengan kunci ini; coba lagi sebentar lagi."
TOO_MANY_FROM_ADDRESS = "Terlalu banyak permintaan dari alamat ini; coba lagi sebentar lagi."
TOO_MANY_LETTERS = (f"Terlalu banyak surat dalam satu permintaan: paling banyak {MAX_ITEMS}. "
                    "Bagi daftar surat ke beberapa permintaan.")
NO_LETTERS = f"Daftar surat kosong; kirim 1 sampai {MAX_ITEMS} surat."
BAD_BODY = (f'Isi permintaan tidak sesuai. Kirim JSON {{"surat": [...]}} berisi 1 sampai {MAX_ITEMS} teks '
            f"(kode surat atau teks QR code), masing-masing paling panjang {MAX_ITEM_CHARS} karakter.")

_bearer = HTTPBearer(auto_error=False, description="Kunci API instansi (esurat agency add)")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Kunci API instansi, cara lain")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
ApiKey = Annotated[str | None, Security(_api_key)]

_REQUEST_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": VerifyRequest.model_json_schema()}}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ApiError, "description": "Kunci API tidak ada, tidak dikenal atau sudah dicabut"},
    422: {"model": ApiError, "description": f"Isi permintaan tidak sesuai (kosong, lebih dari {MAX_ITEMS} surat...)"},
    429: {"model": ApiError, "description": "Terlalu banyak permintaan dengan kunci ini atau dari alamat ini "
                                            "(lihat Retry-After)"},
}


def _error(message: str, status: int, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={**HEADERS, **headers})


def body_problem(e: ValidationError) -> str:
    """What is wrong with a posted body, in Indonesian."""
    for err in e.errors():
        if tuple(err.get("loc", ())) == ("surat",) and err["type"] == "too_long":
            return TOO_MANY_LETTERS
        if tuple(err.get("loc", ())) == ("surat",) and err["type"] == "too_short":
            return NO_LETTERS
    return BAD_BODY


def create_agency_router(
    sessions: async_sessionmaker[AsyncSession],
    source: LetterRecordSource,
    keystore: KeyStore,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    limiter: RateLimiter | None = None,
    addresses: RateLimiter | None = None,
) -> APIRouter:
    router = APIRouter(tags=["integrasi instansi"])
    limiter = limiter if limiter is not None else RateLimiter(settings.agency_rate_per_minute,
                                                              settings.agency_rate_burst)
    addresses = addresses if addresses is not None else RateLimiter(
        ADDRESS_FACTOR * settings.agency_rate_per_minute, ADDRESS_FACTOR * settings.agency_rate_burst)

    async def verdicts(items: list[str]) -> list[dict[str, Any]]:
        today = local_date(clock())
        out = []
        for item in items:
            judged = await judge(source, keystore, *presented(item), today)
            view = (not_found_view(settings.city_name) if judged is None
                    else letter_view(judged.record, judged.verdict, judged.seal, today))
            out.append({"masukan": item} | view)
        return out

    @router.post(PATH, response_model=VerifyResponse, responses=_RESPONSES, openapi_extra=_REQUEST_BODY,
                 summary="Periksa keaslian surat (untuk instansi)",
                 response_description="Satu hasil untuk setiap surat, dalam urutan masukan")
    async def verify(request: Request, bearer: Bearer, api_key: ApiKey) -> JSONResponse:
        """Status setiap surat (ASLI, DICABUT, TIDAK VALID, TIDAK DITEMUKAN) dan data yang disamarkan, seperti di
        halaman periksa. Satu sampai 100 surat per permintaan; kunci API wajib."""
        address = client_key(request.client.host if request.client else None)
        if not addresses.allow(address):
            return _error(TOO_MANY_FROM_ADDRESS, 429, **{"Retry-After": str(addresses.retry_after(address))})
        key = bearer.credentials if bearer is not None else api_key
        agency = await agency_for_key(sessions, key.strip() if key else None)
        if agency is None:
            log.warning("API instansi: permintaan ditolak dari %s (%s)", address,
                        "kunci tidak dikenal atau dicabut" if key else "tanpa kunci")
            return _error(UNAUTHORIZED, 401, **{"WWW-Authenticate": "Bearer"})
        bucket = f"agency:{agency.id}"
        if not limiter.allow(bucket):
            log.warning("API instansi: instansi #%d melebihi batas permintaan", agency.id)
            return _error(TOO_MANY_CALLS, 429, **{"Retry-After": str(limiter.retry_after(bucket))})
        try:
            body = VerifyRequest.model_validate_json(await request.body())
        except ValidationError as e:
            await audit_call(sessions, agency.id, {"ditolak": 1}, clock())
            return _error(body_problem(e), 422)
        results = await verdicts(body.surat)
        counts = Counter(str(r["status"]) for r in results)
        await audit_call(sessions, agency.id, {"jumlah": len(results), **counts}, clock())
        return JSONResponse({"hasil": results, "jumlah": {v.label: counts[v.label] for v in Verdict}},
                            headers=HEADERS)

    return router
