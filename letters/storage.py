"""Issued PDFs on disk, under ``settings.letters_dir`` (paths stored relative to it)."""

from __future__ import annotations

import os
from pathlib import Path


def store_pdf(letters_dir: Path, public_id: str, year: int, pdf: bytes) -> str:
    """Write atomically to ``<year>/<public_id>.pdf``; returns the relative path."""
    rel = f"{year}/{public_id}.pdf"
    path = letters_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pdf)
    tmp.replace(path)
    return rel


def load_pdf(letters_dir: Path, rel: str) -> bytes:
    path = (letters_dir / rel).resolve()
    if letters_dir.resolve() not in path.parents:
        raise ValueError(f"letter path outside the letters folder: {rel}")
    return path.read_bytes()
