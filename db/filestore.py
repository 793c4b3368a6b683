"""Uploaded files (KTP, KK, surat pengantar): stored under the data dir, never the web root,
named by their SHA-256; what a file is, and whether it is taken, is decided by its content
(`db.upload_sniff`), the one intake every channel uses."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from config.private_files import write_private
from db.models import Attachment
from db.upload_sniff import UploadRefused, inspect, sniff_media_type

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
__all__ = ["ALLOWED", "UploadRefused", "UploadStore", "human_size", "sniff_media_type"]


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{max(1, n // 1024)} KB"


class UploadStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check(self, data: bytes, name: str | None = None, declared_type: str | None = None) -> str:
        """The media type of an acceptable upload (`name` and `declared_type`: what the sender says it is)."""
        if len(data) > self.max_bytes:
            raise UploadRefused(f"Berkas terlalu besar (maksimal {human_size(self.max_bytes)}).")
        if not data:
            raise UploadRefused("Berkas kosong; kirim ulang berkasnya.")
        return inspect(data, name, declared_type)

    async def store(self, session: AsyncSession, data: bytes, kind: str, now: datetime, *,
                    name: str | None = None, declared_type: str | None = None) -> Attachment:
        media_type = self.check(data, name, declared_type)
        digest = hashlib.sha256(data).hexdigest()
        rel = Path(digest[:2]) / f"{digest}.{ALLOWED[media_type]}"
        path = self.root / rel
        if not path.exists():
            write_private(path, data)  # 0600 in a 0700 directory, whatever the umask
        att = Attachment(kind=kind, path=str(rel), size=len(data), sha256=digest, media_type=media_type,
                         created_at=now)
        session.add(att)
        await session.flush()
        return att
