"""An official's signing passphrase between the approval and the signing (BSrE, `letters/bsre.py`): sealed
with AES-GCM under a key of this deployment (`<data>/keys/passphrase.key`, 0600, made on first use), with an
expiry, and kept only in the issuing follow-up's row until the letter is signed (then it is wiped). It never
appears in clear in the database, the audit log or a log line."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from config.private_files import write_private

TTL = timedelta(minutes=30)


class PassphraseBox:
    def __init__(self, key_path: Path, clock: Callable[[], datetime], ttl: timedelta = TTL) -> None:
        self.key_path = key_path
        self.clock = clock
        self.ttl = ttl

    def _key(self) -> bytes:
        if not self.key_path.exists():
            write_private(self.key_path, secrets.token_bytes(32))
        return self.key_path.read_bytes()

    def seal(self, passphrase: str) -> dict[str, Any]:
        expires = (self.clock() + self.ttl).isoformat()
        nonce = os.urandom(12)
        ct = AESGCM(self._key()).encrypt(nonce, passphrase.encode(), expires.encode())
        return {"ct": base64.b64encode(nonce + ct).decode(), "exp": expires}

    def open(self, sealed: object) -> str | None:
        """The passphrase, or None when absent, expired or not sealed by this deployment's key."""
        if not isinstance(sealed, dict) or not isinstance(sealed.get("ct"), str) or not isinstance(
                sealed.get("exp"), str):
            return None
        try:
            if datetime.fromisoformat(sealed["exp"]) < self.clock():
                return None
            raw = base64.b64decode(sealed["ct"])
            return AESGCM(self._key()).decrypt(raw[:12], raw[12:], sealed["exp"].encode()).decode()
        except (ValueError, InvalidTag):
            return None
