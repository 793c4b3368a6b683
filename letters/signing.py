"""PAdES signatures of issued letters, behind an interface.

`PdfSigner` is what the issuer needs; `LocalCASigner` signs with the kelurahan's key
from e-surat's own CA (`letters.pki.LocalCA`). A BSrE signing service (certified
electronic signature) replaces it by implementing the same one method.
"""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from letters.pki import LocalCA


class PdfSigner(Protocol):
    def sign(self, pdf_bytes: bytes, kelurahan_slug: str) -> bytes:
        """The PDF with a PAdES signature of the kelurahan added (incremental update)."""
        ...


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class LocalCASigner:
    def __init__(self, ca: LocalCA, *, location: str = "Palangka Raya") -> None:
        self._ca = ca
        self._location = location
        self._signers: dict[str, signers.SimpleSigner] = {}
        self._lock = threading.Lock()

    def _signer(self, slug: str) -> signers.SimpleSigner:
        with self._lock:
            return self._signers.get(slug) or self._load_signer(slug)

    def _load_signer(self, slug: str) -> signers.SimpleSigner:
        creds = self._ca.signer(slug)
        der_key = creds.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signer = signers.SimpleSigner(
            signing_cert=asn1_cert(creds.cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert(self._ca.ca().cert)]),
        )
        self._signers[slug] = signer
        return signer

    def sign(self, pdf_bytes: bytes, kelurahan_slug: str) -> bytes:
        """Thread-safe and blocking. pyHanko's synchronous API starts an event loop of its own,
        so when called from inside a running loop the work moves to a worker thread; callers in
        async code should rather run the whole issue in a thread (`asyncio.to_thread`)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._sign(pdf_bytes, kelurahan_slug)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self._sign, pdf_bytes, kelurahan_slug).result()

    def _sign(self, pdf_bytes: bytes, kelurahan_slug: str) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="TandaTanganElektronik",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason="Surat keterangan diterbitkan melalui e-surat",
            location=self._location,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
        out = signers.PdfSigner(meta, signer=self._signer(kelurahan_slug)).sign_pdf(writer, bytes_reserved=8192)
        return out.getvalue()
