"""Certified signatures (PP 71/2019) through a BSrE e-sign API server, behind `letters.signing.PdfSigner`.

The API shape followed (BSrE e-sign v2, HTTP Basic with the client id and secret):

    POST {base}/api/v2/sign/pdf   {"nik", "passphrase", "signatureProperties": [...], "file": [base64 PDF]}
    POST {base}/api/v2/seal/pdf   {"idSubscriber", "passphrase", "signatureProperties": [...], "file": [...]}
    POST {base}/api/v2/verify/pdf {"file": base64 PDF}            -> {"conclusion", "signatureInformations"}
    GET  {base}/api/v2/user/check/status?nik=...                  -> {"status": "ISSUE"|..., "message"}
    200 -> {"file": [base64 signed PDF], ...}; an error -> {"status_code": n, "error": "..."} with a 4xx/5xx:
    2031 wrong passphrase, 2011 certificate expired, 2021 NIK not registered / certificate not active;
    5xx or no answer: the service is away.

`signatureProperties` asks for a visible signature where the letter keeps the signature's space (the gap
above the signer's name, recorded while the letter is drawn: `letters.flowables.SignatureSpot`). Every
refusal is a `SigningError` (kind `passphrase`, `certificate`, `unavailable`, `refused`): the issuing
follow-up is retried with backoff and the official is told why (`lifecycle.issuing`), and nothing is issued
until the signed PDF comes back and is stored.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from pyhanko.pdf_utils.reader import PdfFileReader

from config.settings import BsreSettings
from letters.signing import PdfSigner, SigningError

SIGNATURE_BOX = {"originX": 340.0, "originY": 90.0, "width": 200.0, "height": 80.0}  # points, from bottom left
WRONG_PASSPHRASE, CERT_EXPIRED, NOT_REGISTERED = 2031, 2011, 2021
MESSAGES = {
    "passphrase": "Passphrase tanda tangan elektronik (BSrE) salah.",
    "certificate": "Sertifikat elektronik penandatangan tidak aktif atau kedaluwarsa (BSrE).",
    "unavailable": "Layanan tanda tangan elektronik BSrE sedang tidak dapat dihubungi.",
    "refused": "Layanan tanda tangan elektronik BSrE menolak dokumen ini.",
    "needed": "Passphrase tanda tangan elektronik (BSrE) belum dimasukkan: buka permohonan ini di meja petugas "
              "dan tandatangani dengan passphrase Anda.",
}


def _error(kind: str, detail: str = "") -> SigningError:
    return SigningError(kind, MESSAGES[kind] + (f" ({detail})" if detail else ""))


class BsreClient:
    def __init__(self, settings: BsreSettings, transport: httpx.BaseTransport | None = None) -> None:
        secret = settings.client_secret.get_secret_value() if settings.client_secret else ""
        self.settings = settings
        self._http = httpx.Client(base_url=settings.base_url.rstrip("/"), auth=(settings.client_id, secret),
                                  timeout=settings.timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            raise _error("unavailable", type(e).__name__) from e
        if response.status_code >= 500:
            raise _error("unavailable", f"HTTP {response.status_code}")
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            raise _error("unavailable" if response.status_code != 200 else "refused", "jawaban tidak terbaca") \
                from None
        if response.status_code != 200:
            code = body.get("status_code")
            kind = {WRONG_PASSPHRASE: "passphrase", CERT_EXPIRED: "certificate",
                    NOT_REGISTERED: "certificate"}.get(code if isinstance(code, int) else -1, "refused")
            raise _error(kind, f"kode {code}")
        return body

    def sign_pdf(self, pdf: bytes, passphrase: str | None, properties: dict[str, Any]) -> bytes:
        """`passphrase`: the official's, entered at approval; else the configured one (the seal's)."""
        s = self.settings
        passphrase = passphrase or (s.passphrase.get_secret_value() if s.passphrase else "")
        if not passphrase:
            raise SigningError("passphrase", MESSAGES["needed"])
        who = {"nik": s.nik, "passphrase": passphrase} if s.mode == "sign" else \
            {"idSubscriber": s.seal_id, "passphrase": passphrase}
        body = self._call("POST", f"/api/v2/{s.mode}/pdf", json={
            **who, "signatureProperties": [properties], "file": [base64.b64encode(pdf).decode()]})
        files = body.get("file")
        if not isinstance(files, list) or not files:
            raise _error("refused", "tanpa berkas")
        signed = base64.b64decode(files[0])
        if not signed.startswith(b"%PDF"):
            raise _error("refused", "bukan PDF")
        return signed

    def user_status(self, nik: str) -> dict[str, Any]:
        return self._call("GET", "/api/v2/user/check/status", params={"nik": nik})

    def verify_pdf(self, pdf: bytes) -> dict[str, Any]:
        return self._call("POST", "/api/v2/verify/pdf", json={"file": base64.b64encode(pdf).decode()})


class BsreSigner:
    """Signs the letters of the kelurahan in `settings.kelurahan` through BSrE, the others with `fallback`."""

    def __init__(self, settings: BsreSettings, fallback: PdfSigner, *, location: str,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.fallback = fallback
        self.location = location
        self.client = BsreClient(settings, transport)

    def uses_bsre(self, kelurahan_slug: str) -> bool:
        return kelurahan_slug in self.settings.kelurahan

    def kind(self, kelurahan_slug: str) -> str:
        return "bsre" if self.uses_bsre(kelurahan_slug) else self.fallback.kind(kelurahan_slug)

    def sign(self, pdf_bytes: bytes, kelurahan_slug: str, passphrase: str | None = None,
             box: tuple[int, float, float, float, float] | None = None) -> bytes:
        if not self.uses_bsre(kelurahan_slug):
            return self.fallback.sign(pdf_bytes, kelurahan_slug)
        if box is not None:  # the space the letter keeps for the signature
            page, x, y, width, height = box
            place: dict[str, Any] = {"page": page, "originX": round(x, 1), "originY": round(y, 1),
                                     "width": round(width, 1), "height": round(height, 1)}
        else:  # (not known: the bottom right of the last page)
            place = {"page": int(PdfFileReader(io.BytesIO(pdf_bytes)).root["/Pages"]["/Count"]), **SIGNATURE_BOX}
        return self.client.sign_pdf(pdf_bytes, passphrase, {
            "tampilan": "VISIBLE", **place, "location": self.location,
            "reason": "Surat keterangan diterbitkan melalui e-surat"})
