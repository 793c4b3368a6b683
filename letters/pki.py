"""The local certificate authority of e-surat, created on first start.

Under ``<data_dir>/pki`` (never in the repository): ``ca.key.pem`` + ``ca.cert.pem``
(ECDSA P-256, 20 years) and, per kelurahan, ``kelurahan/<slug>.key.pem`` +
``.cert.pem`` (5 years, reissued when less than 30 days remain). Private keys are
written with mode 0600. Such a self-managed CA makes an uncertified electronic
signature (PP 71/2019); a BSrE signing service replaces it through `PdfSigner`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from config.private_files import write_private

_PEM = serialization.Encoding.PEM
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")


@dataclass(frozen=True)
class Credentials:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pemerintah Kota Palangka Raya")]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name([*attrs, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    write_private(path, key.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def _load(key_path: Path, cert_path: Path) -> Credentials | None:
    if not (key_path.exists() and cert_path.exists()):
        return None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{key_path} holds a {type(key).__name__}, not an ECDSA private key")
    return Credentials(key, x509.load_pem_x509_certificate(cert_path.read_bytes()))


class LocalCA:
    def __init__(self, pki_dir: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.dir = pki_dir
        self._clock = clock
        self._ca: Credentials | None = None

    def ca(self) -> Credentials:
        if self._ca is None:
            self._ca = _load(self.dir / "ca.key.pem", self.dir / "ca.cert.pem") or self._create_ca()
        return self._ca

    def _create_ca(self) -> Credentials:
        key = ec.generate_private_key(ec.SECP256R1())
        now = self._clock()
        name = _name("e-surat Kota Palangka Raya CA", unit="TTE tidak tersertifikasi")
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(self.dir / "ca.key.pem", key)
        write_private(self.dir / "ca.cert.pem", cert.public_bytes(_PEM))
        return Credentials(key, cert)

    def signer(self, slug: str) -> Credentials:
        """The kelurahan's signing key and certificate, issued on first use."""
        base = self.dir / "kelurahan" / slug
        found = _load(base.with_suffix(".key.pem"), base.with_suffix(".cert.pem"))
        if found and found.cert.not_valid_after_utc - self._clock() > timedelta(days=30):
            return found
        return self._issue(slug, base)

    def _issue(self, slug: str, base: Path) -> Credentials:
        ca, key, now = self.ca(), ec.generate_private_key(ec.SECP256R1()), self._clock()
        kelurahan = slug.replace("-", " ").title()
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Kelurahan {kelurahan}", unit=f"Kelurahan {kelurahan}"))
            .issuer_name(ca.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=365 * 5))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256())
        )
        _write_private(base.with_suffix(".key.pem"), key)
        write_private(base.with_suffix(".cert.pem"), cert.public_bytes(_PEM))
        return Credentials(key, cert)
