"""A fake BSrE e-sign API server (v2 shape documented in `letters/bsre.py`), served on loopback by the tests:
sign and seal a PDF with a PAdES signature of its own "BSrE" test CA (a visible signature in the box asked
for), verify, and a user's certificate status; with the error shapes of the real service: a wrong
passphrase (2031), an expired certificate (2011), an unregistered NIK (2021), the service down (503)."""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

BSRE_ORG = "Balai Besar Sertifikasi Elektronik (UJI)"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, BSRE_ORG),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(folder: Path, signer_cn: str) -> tuple[Path, Path, Path]:
    """A root "BSrE" CA and a signing certificate of `signer_cn`: (key, cert, CA cert) PEM files."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("BSrE Root CA (UJI)")).issuer_name(_name("BSrE Root CA (UJI)"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(_name(signer_cn)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "key.pem", folder / "cert.pem", folder / "ca.pem"
    paths[0].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


@dataclass
class FakeBsre:
    pki: tuple[Path, Path, Path]
    nik: str = "6271010101800001"
    passphrase: str = "rahasia-lurah"
    seal_id: str = "SEAL-KEL-001"
    status: str = "ISSUE"  # ISSUE | EXPIRED | NOT_REGISTERED
    down: int = 0  # answer this many calls with 503
    client: tuple[str, str] = ("esurat", "client-secret")
    calls: list[dict[str, Any]] = field(default_factory=list)
    signed: int = 0

    def _error(self, http: int, code: int, text: str) -> JSONResponse:
        return JSONResponse({"status_code": code, "error": text}, status_code=http)

    async def _sign(self, pdf: bytes, props: dict[str, Any]) -> bytes:
        key, cert, ca = self.pki
        signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(ca),))  # type: ignore[no-untyped-call]
        assert signer is not None
        x, y = float(props.get("originX", 0)), float(props.get("originY", 0))
        box = (int(x), int(y), int(x + float(props.get("width", 0))), int(y + float(props.get("height", 0))))
        meta = signers.PdfSignatureMetadata(field_name="BSrE", subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=str(props.get("reason", "")),
                                            location=str(props.get("location", "")))
        spec = fields.SigFieldSpec("BSrE", on_page=int(props.get("page", 1)) - 1, box=box)
        out = await signers.PdfSigner(meta, signer=signer, new_field_spec=spec).async_sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=16384)
        self.signed += 1
        return bytes(out.getvalue())

    def app(self) -> FastAPI:
        app = FastAPI()

        async def guarded(request: Request, kind: str) -> JSONResponse | dict[str, Any]:
            self.calls.append({"kind": kind, "auth": request.headers.get("authorization", "")})
            if self.down > 0:
                self.down -= 1
                return JSONResponse({"error": "Service Unavailable"}, status_code=503)
            expected = "Basic " + base64.b64encode(":".join(self.client).encode()).decode()
            if request.headers.get("authorization") != expected:
                return self._error(401, 1001, "Client tidak dikenal")
            return await request.json() if request.method == "POST" else {}

        @app.post("/api/v2/sign/pdf", response_model=None)
        async def sign(request: Request) -> JSONResponse | dict[str, Any]:
            body = await guarded(request, "sign")
            if isinstance(body, JSONResponse):
                return body
            if body.get("nik") != self.nik or self.status == "NOT_REGISTERED":
                return self._error(400, 2021, "NIK tidak terdaftar")
            if self.status == "EXPIRED":
                return self._error(400, 2011, "Sertifikat sudah kedaluwarsa")
            if body.get("passphrase") != self.passphrase:
                return self._error(400, 2031, "Passphrase anda salah")
            pdf = base64.b64decode(body["file"][0])
            return {"file": [base64.b64encode(await self._sign(pdf, body["signatureProperties"][0])).decode()],
                    "time": 1}

        @app.post("/api/v2/seal/pdf", response_model=None)
        async def seal(request: Request) -> JSONResponse | dict[str, Any]:
            body = await guarded(request, "seal")
            if isinstance(body, JSONResponse):
                return body
            if body.get("idSubscriber") != self.seal_id or body.get("passphrase") != self.passphrase:
                return self._error(400, 2031, "Passphrase anda salah")
            pdf = base64.b64decode(body["file"][0])
            return {"file": [base64.b64encode(await self._sign(pdf, body["signatureProperties"][0])).decode()]}

        @app.post("/api/v2/verify/pdf", response_model=None)
        async def verify(request: Request) -> JSONResponse | dict[str, Any]:
            body = await guarded(request, "verify")
            if isinstance(body, JSONResponse):
                return body
            pdf = base64.b64decode(body["file"])
            ok = b"/ByteRange" in pdf and BSRE_ORG.encode() in pdf
            return {"conclusion": "VALID" if ok else "NO_SIGNATURE", "signatureInformations": []}

        @app.get("/api/v2/user/check/status", response_model=None)
        async def status(request: Request, nik: str = "") -> JSONResponse | dict[str, Any]:
            body = await guarded(request, "status")
            if isinstance(body, JSONResponse):
                return body
            if nik != self.nik:
                return self._error(400, 2021, "NIK tidak terdaftar")
            return {"status": self.status, "message": {"ISSUE": "Sertifikat aktif"}.get(self.status, self.status)}

        return app


@contextlib.contextmanager
def served_bsre(folder: Path, signer_cn: str = "LURAH BUKIT TUNGGAL (UJI)") -> Iterator[tuple[FakeBsre, str]]:
    """The fake on a free loopback port: (the fake, its base URL)."""
    from tests.support.service import free_port
    from tests.support.webchat import served

    fake = FakeBsre(make_pki(folder, signer_cn))
    port = free_port()
    with served(fake.app(), port):
        yield fake, f"http://127.0.0.1:{port}"
