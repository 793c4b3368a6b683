"""Checking the PAdES signature of an uploaded PDF with pyHanko, against trusted roots.

`PdfSignatureValidator` is the interface the verification service needs; `PadesValidator`
trusts e-surat's local CA (`letters.pki.LocalCA`), and a BSrE root can be added to
`trust_roots` when letters are signed by BSrE. The library's own log records about the file are
dropped while it is checked (`verification.quiet_logs`): the router logs one line per check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from verification.quiet_logs import quiet_library_logs


@dataclass(frozen=True)
class PadesReport:
    signed: bool  # the PDF carries a signature
    intact: bool  # the signed bytes are unchanged and the signature is cryptographically valid
    trusted: bool  # the signer chains to a trusted root
    whole_file: bool  # the signature covers the whole file (nothing appended after it)
    signer: str | None = None
    detail: str = ""
    readable: bool = True  # False: not a PDF the reader could open
    number: str | None = None  # the letter number in the document's information (/Subject), if any

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


class PdfSignatureValidator(Protocol):
    def validate(self, pdf_bytes: bytes) -> PadesReport: ...


class PadesValidator:
    def __init__(self, trust_roots: list[x509.Certificate]) -> None:
        self._roots = [
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust_roots
        ]

    def validate(self, pdf_bytes: bytes) -> PadesReport:
        with quiet_library_logs():
            return self._validate(pdf_bytes)

    def _validate(self, pdf_bytes: bytes) -> PadesReport:
        try:
            reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
            signatures = reader.embedded_signatures
        except Exception as exc:  # any parse failure means: not a readable signed PDF
            return PadesReport(False, False, False, False, detail=f"PDF tidak dapat dibaca: {type(exc).__name__}",
                               readable=False)
        number = _document_number(reader)
        if not signatures:
            return PadesReport(False, False, False, False, detail="PDF tidak bertanda tangan elektronik",
                               number=number)
        context = ValidationContext(trust_roots=self._roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(signatures[-1], signer_validation_context=context)
        except Exception as exc:
            return PadesReport(True, False, False, False, detail=f"tanda tangan rusak: {type(exc).__name__}",
                               number=number)
        return PadesReport(
            signed=True,
            intact=bool(status.intact and status.valid),
            trusted=bool(status.trusted),
            whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1,
            signer=status.signing_cert.subject.human_friendly if status.signing_cert else None,
            detail=status.summary(),
            number=number,
        )


def _document_number(reader: PdfFileReader) -> str | None:
    """The letter number e-surat writes as the document's /Subject (signed, when the signature covers the file)."""
    try:
        info = reader.trailer_view.get("/Info")
        subject = info.get_object().get("/Subject") if info is not None else None
    except Exception:  # noqa: BLE001 - an unreadable information dictionary: no number
        return None
    return str(subject)[:64] if subject else None
