"""PAdES signatures of issued letters, behind an interface.

`PdfSigner` is what the issuer needs; `LocalCASigner` signs with the kelurahan's key
from e-surat's own CA (`letters.pki.LocalCA`). A BSrE signing service (certified
electronic signature) replaces it by implementing the same one method.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from letters.pki import LocalCA


class SigningError(Exception):
    """The signature could not be made now (a certified signing service refused or is away): the letter is not
    issued, the request stays approved and the signing is retried. `kind` names the cause for the official."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class PdfSigner(Protocol):
    def sign(self, pdf_bytes: bytes, kelurahan_slug: str, passphrase: str | None = None,
             box: tuple[int, float, float, float, float] | None = None) -> bytes:
        """The PDF with a PAdES signature of the kelurahan added (incremental update). `passphrase`: the
        official's, entered at approval, for a signer that needs one (BSrE); `box`: where the letter keeps
        the signature's space (page, x, y, width, height), for a visible signature; others ignore them."""
        ...

    def kind(self, kelurahan_slug: str) -> str:
        """How this kelurahan's letters are signed: "segel_esurat" (e-surat's own CA) or "bsre" (certified)."""
        ...


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


_EXPECTED_ATTRS = {"content_type", "message_digest", "signing_certificate_v2", "cms_algorithm_protection"}


@dataclass(frozen=True)
class _CmsTemplate:
    der: bytes  # a complete ContentInfo signed by pyHanko over a placeholder digest
    digest_at: int  # offset of the message digest value
    attrs_at: int  # offset and DER of the signed attributes ([0] IMPLICIT SET)
    attrs: bytes
    signature_at: int  # offset and length of the signature value
    signature_len: int


class TemplateCmsSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, with the CMS container built once per digest algorithm.

    Building CMS structures with asn1crypto costs ~40 ms a signature. With PAdES (no
    signing-time attribute, no timestamp) every container of one signer is the same
    but for the message digest and the signature. The first container is made by
    pyHanko over a placeholder digest; later ones copy it, put in the real digest, sign
    the signed attributes with the same ECDSA key and put in the signature (an ECDSA
    signature is drawn again until its DER length matches, so no length changes).
    Anything unusual (timestamps, other attributes) goes the ordinary way.
    """

    def __init__(self, *args: Any, ec_key: ec.EllipticCurvePrivateKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ec_key = ec_key
        self._templates: dict[str, _CmsTemplate | None] = {}

    async def _template(self, digest_algorithm: str, **kwargs: Any) -> _CmsTemplate | None:
        if digest_algorithm not in self._templates:
            placeholder = secrets.token_bytes(hashlib.new(digest_algorithm).digest_size)
            der = (await super().async_sign(placeholder, digest_algorithm, **kwargs)).dump()
            info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
            attrs = info["signed_attrs"].dump()
            signature = info["signature"].native
            usable = (
                {a["type"].native for a in info["signed_attrs"]} <= _EXPECTED_ATTRS
                and info["signature_algorithm"]["algorithm"].native == f"{digest_algorithm}_ecdsa"
                and der.count(placeholder) == 1 and der.count(signature) == 1
            )
            self._templates[digest_algorithm] = _CmsTemplate(
                der, der.index(placeholder), der.index(attrs), attrs, der.index(signature), len(signature)
            ) if usable else None
        return self._templates[digest_algorithm]

    async def async_sign(
        self, data_digest: bytes, digest_algorithm: str, dry_run: Any = False, use_pades: Any = False,
        timestamper: Any = None, signed_attr_settings: PdfCMSSignedAttributes | None = None,
        is_pdf_sig: Any = True, encap_content_info: Any = None,
    ) -> cms.ContentInfo:
        kwargs: dict[str, Any] = {"signed_attr_settings": signed_attr_settings, "is_pdf_sig": is_pdf_sig,
                                  "encap_content_info": encap_content_info}
        plain = use_pades and timestamper is None and not dry_run and encap_content_info is None
        tpl = await self._template(digest_algorithm, use_pades=use_pades, **kwargs) if plain else None
        if tpl is None:
            return await super().async_sign(data_digest, digest_algorithm, dry_run, use_pades, timestamper, **kwargs)
        der = bytearray(tpl.der)
        der[tpl.digest_at : tpl.digest_at + len(data_digest)] = data_digest
        attrs = b"\x31" + bytes(der[tpl.attrs_at + 1 : tpl.attrs_at + len(tpl.attrs)])
        algorithm = ec.ECDSA(getattr(hashes, digest_algorithm.upper())())
        for _ in range(64):
            signature = self._ec_key.sign(attrs, algorithm)
            if len(signature) == tpl.signature_len:
                der[tpl.signature_at : tpl.signature_at + tpl.signature_len] = signature
                return cms.ContentInfo.load(bytes(der))
        return await super().async_sign(data_digest, digest_algorithm, dry_run, use_pades, timestamper, **kwargs)


class LocalCASigner:
    def __init__(self, ca: LocalCA, *, location: str = "Palangka Raya") -> None:
        self._ca = ca
        self._location = location
        self._signers: dict[str, TemplateCmsSigner] = {}
        self._lock = threading.Lock()

    def _signer(self, slug: str) -> TemplateCmsSigner:
        with self._lock:
            return self._signers.get(slug) or self._load_signer(slug)

    def _load_signer(self, slug: str) -> TemplateCmsSigner:
        creds = self._ca.signer(slug)
        der_key = creds.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signer = TemplateCmsSigner(
            ec_key=creds.key,
            signing_cert=asn1_cert(creds.cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert(self._ca.ca().cert)]),
        )
        self._signers[slug] = signer
        return signer

    def kind(self, kelurahan_slug: str) -> str:
        return "segel_esurat"

    def sign(self, pdf_bytes: bytes, kelurahan_slug: str, passphrase: str | None = None,
             box: tuple[int, float, float, float, float] | None = None) -> bytes:
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
        signed: bytes = out.getvalue()
        return signed
