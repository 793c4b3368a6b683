"""The kelurahan's coat of arms: a PNG checked with Pillow (really a PNG, not too big, sensible dimensions),
stored under the data directory (never a served path) as `logos/<slug>.png`, named on the kelurahan row
(`Kelurahan.logo_file`) and drawn left of the letterhead. One home for the desk's upload and the CLI."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Kelurahan

MAX_BYTES = 512 * 1024  # below the 1 MB cap of any request body (bot.http_guards)
MAX_SIDE = 2000
MIN_SIDE = 32
LOGO_DIR = "logos"


class LogoRefused(ValueError):
    """Why the file is not accepted (Indonesian, shown to the person)."""


def check_png(data: bytes) -> None:
    """Raise `LogoRefused` unless `data` is a PNG of at most 1 MB and 32-2000 pixels a side."""
    if not data:
        raise LogoRefused("Berkas lambang kosong.")
    if len(data) > MAX_BYTES:
        raise LogoRefused(f"Berkas lambang terlalu besar (paling besar {MAX_BYTES // 1024} KB).")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise LogoRefused("Berkas lambang bukan gambar PNG yang sah.") from None
    if kind != "PNG":
        raise LogoRefused("Berkas lambang harus berformat PNG.")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise LogoRefused(f"Ukuran lambang harus {MIN_SIDE}-{MAX_SIDE} piksel per sisi "
                          f"(berkas ini {width}x{height}).")


def store_logo(data_dir: Path, slug: str, data: bytes) -> str:
    """Check and store the kelurahan's coat of arms; the file name to record on the kelurahan."""
    check_png(data)
    folder = data_dir / LOGO_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{slug}.png"
    partial = folder / f".{name}.tmp"
    partial.write_bytes(data)
    os.replace(partial, folder / name)
    return name


def logo_path(data_dir: Path, logo_file: str) -> Path | None:
    """Where the recorded coat of arms is, if there is one on disk."""
    if not logo_file or "/" in logo_file or logo_file.startswith("."):
        return None
    path = data_dir / LOGO_DIR / logo_file
    return path if path.is_file() else None


async def save_logo(sessions: async_sessionmaker[AsyncSession], data_dir: Path, slug: str, data: bytes) -> Kelurahan:
    """Check and store the coat of arms of kelurahan `slug`, and record it on its row (`LogoRefused`: not
    accepted, nothing changed; `LookupError`: no such kelurahan)."""
    check_png(data)
    async with sessions.begin() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == slug))
        if kel is None:
            raise LookupError(f"Kelurahan tidak dikenal: {slug}")
        kel.logo_file = store_logo(data_dir, slug, data)
        return kel
