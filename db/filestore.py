"""Uploaded files (KTP, KK, surat pengantar): stored under the data dir, never the web root,
named by their SHA-256; the media type is decided by the content, not by the name."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from config.private_files import write_private
from db.models import Attachment

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class UploadRefused(ValueError):
    pass


def sniff_media_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    return None


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{max(1, n // 1024)} KB"


class UploadStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check(self, data: bytes) -> str:
        if len(data) > self.max_bytes:
            raise UploadRefused(f"Berkas terlalu besar (maksimal {human_size(self.max_bytes)})")
        media_type = sniff_media_type(data)
        if media_type is None:
            raise UploadRefused("Jenis berkas tidak didukung; kirim foto JPEG/PNG atau PDF")
        return media_type

    async def store(self, session: AsyncSession, data: bytes, kind: str, now: datetime) -> Attachment:
        media_type = self.check(data)
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
