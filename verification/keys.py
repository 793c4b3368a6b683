"""Seal keys (Ed25519) with rotation, kept under ``settings.storage.keys_dir``.

One JSON file per key, ``seal-<kid>.json`` (mode 0600)::

    {"kid": "K7QA", "alg": "Ed25519", "created": "2026-11-22T08:00:00+00:00",
     "private_key_pem": "-----BEGIN PRIVATE KEY-----..."}

The newest key signs; older keys stay published at ``/.well-known/esurat-keys.json``
so that letters sealed with them still verify. ``kid`` is the first 4 base32
characters of SHA-256 over the raw public key. The store re-reads the folder when
its mtime changes, so a rotation done by the CLI reaches a running server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from config.private_files import private_dir

_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    digest = hashlib.sha256(public_key.public_bytes(*_RAW)).digest()
    return base64.b32encode(digest).decode()[:4]


@dataclass(frozen=True)
class SealKey:
    kid: str
    created: datetime
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


class KeyStore:
    def __init__(self, keys_dir: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._dir = keys_dir
        self._clock = clock
        self._keys: list[SealKey] = []  # oldest first
        self._mtime: int | None = None
        self._lock = threading.RLock()

    def _refresh(self) -> None:
        try:
            mtime = self._dir.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self._mtime and (self._keys or mtime is None):
            return
        keys = []
        for path in sorted(self._dir.glob("seal-*.json")) if mtime is not None else []:
            doc = json.loads(path.read_text())
            private = serialization.load_pem_private_key(doc["private_key_pem"].encode(), password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise TypeError(f"{path} holds a {type(private).__name__}, not an Ed25519 seal key")
            keys.append(SealKey(doc["kid"], datetime.fromisoformat(doc["created"]), private))
        self._keys = sorted(keys, key=lambda k: (k.created, k.kid))
        self._mtime = mtime

    def keys(self) -> list[SealKey]:
        self._refresh()
        return list(self._keys)

    def active(self) -> SealKey:
        """The signing key; created on first use."""
        with self._lock:
            self._refresh()
            return self._keys[-1] if self._keys else self.rotate()

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        self._refresh()
        return next((k.public_key for k in self._keys if k.kid == kid), None)

    def rotate(self) -> SealKey:
        """Add a new active key; the old ones stay published."""
        with self._lock:
            return self._add_key()

    def _add_key(self) -> SealKey:
        self._refresh()
        taken = {k.kid for k in self._keys}
        private = Ed25519PrivateKey.generate()
        while key_id(private.public_key()) in taken:
            private = Ed25519PrivateKey.generate()
        key = SealKey(key_id(private.public_key()), self._clock(), private)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        doc = {"kid": key.kid, "alg": "Ed25519", "created": key.created.isoformat(), "private_key_pem": pem}
        private_dir(self._dir)
        path = self._dir / f"seal-{key.kid}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh)
        self._mtime = None
        self._refresh()
        return key

    def published(self) -> dict[str, object]:
        """The JSON document served at ``/.well-known/esurat-keys.json`` (JWK set)."""
        keys = self.keys()
        active_kid = keys[-1].kid if keys else None
        return {
            "seal_format": "ES1",
            "keys": [
                {
                    "kid": k.kid,
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": "EdDSA",
                    "use": "sig",
                    "x": base64.urlsafe_b64encode(k.public_key.public_bytes(*_RAW)).decode().rstrip("="),
                    "created": k.created.isoformat(),
                    "status": "active" if k.kid == active_kid else "retired",
                }
                for k in reversed(keys)
            ],
        }
