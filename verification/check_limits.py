"""The limits of the public PDF check (`POST /v/{public_id}/check`), which anyone may call.

- Size: the Content-Length is checked before anything is read, and a body sent without one is cut off
  where it passes the limit (`read_posted_pdf`); nothing larger than the limit is ever held.
- CPU (checking a PAdES signature costs about 0.3 s per MB): the rate limiter charges a check
  `CHECK_COST` page views; a client runs one check at a time; at most `slots` checks run at once in the
  process, with at most `waiting` more queued briefly (`CheckGate`); the rest are told to come back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request

CHECK_COST = 10.0  # a check costs as much of a client's allowance as ten page views
FORM_SLACK = 64 * 1024  # multipart overhead allowed above the PDF's own limit
WAIT_SECONDS = 5.0


class CheckRefused(Exception):
    """A check not done: `status` (the verdict word) and `message` (a sentence) are the Indonesian answer."""

    def __init__(self, code: int, status: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code, self.status, self.message, self.retry_after = code, status, message, retry_after

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message}


class _Cut(Exception):
    pass


def _too_large(limit: int) -> CheckRefused:
    return CheckRefused(413, "BERKAS TERLALU BESAR",
                        f"Berkas PDF terlalu besar untuk diperiksa (maksimal {limit // 1024} KB).")


async def read_posted_pdf(request: Request, field: str, limit: int) -> bytes:
    """The bytes of the file posted as `field` (multipart/form-data), at most `limit` of them."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK:
        raise _too_large(limit)
    seen = 0
    receive = request.receive

    async def limited() -> Any:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit + FORM_SLACK:
            raise _Cut
        return message

    try:
        form = await Request(request.scope, limited).form(max_files=1, max_fields=2)
    except _Cut:
        raise _too_large(limit) from None
    except Exception:  # noqa: BLE001 - a malformed form is the sender's problem, said as such
        raise CheckRefused(400, "BERKAS TIDAK DAPAT DIBACA", "Unggahan tidak dapat dibaca; kirim ulang berkas PDF.") \
            from None
    try:
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            raise CheckRefused(400, "BERKAS TIDAK DISERTAKAN", "Pilih berkas PDF surat yang akan diperiksa.")
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise _too_large(limit)
    return data


class CheckGate:
    """One check at a time per client; `slots` at once in the process, `waiting` more queued for a while."""

    def __init__(self, slots: int = 1, waiting: int = 4, wait_seconds: float = WAIT_SECONDS) -> None:
        self.slots, self.waiting, self.wait_seconds = slots, waiting, wait_seconds
        self._clients: set[str] = set()
        self._queued = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None

    @property
    def queued(self) -> int:
        """Checks waiting for a slot now."""
        return self._queued

    def _slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()  # a semaphore belongs to one event loop
        if self._semaphore is None or self._loop is not loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.slots)
        return self._semaphore

    @contextlib.asynccontextmanager
    async def client(self, client: str) -> AsyncIterator[None]:
        """Held while a client's check is read and done: a second one at the same time is refused."""
        if client in self._clients:
            raise CheckRefused(429, "TERLALU BANYAK PERMINTAAN",
                               "Pemeriksaan sebelumnya masih berjalan; tunggu hingga selesai.", retry_after=2)
        self._clients.add(client)
        try:
            yield
        finally:
            self._clients.discard(client)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Held while the signature is checked (the CPU-heavy part)."""
        semaphore = self._slots()
        busy = CheckRefused(503, "LAYANAN SIBUK", "Layanan pemeriksaan sedang sibuk; coba lagi sebentar lagi.",
                            retry_after=int(self.wait_seconds) or 1)
        if semaphore.locked() and self._queued >= self.waiting:
            raise busy
        self._queued += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                await semaphore.acquire()
        except TimeoutError:
            raise busy from None
        finally:
            self._queued -= 1
        try:
            yield
        finally:
            semaphore.release()
