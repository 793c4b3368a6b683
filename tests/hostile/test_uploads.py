"""The upload intake every channel uses (`db.filestore.UploadStore`): what is refused, each with one clear
Indonesian message, and that an image bomb is refused from its header, before any pixel is decoded; then
once through the web chat's upload endpoint (nothing stored, the resident told why)."""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from db.filestore import UploadRefused, UploadStore
from db.models import Attachment
from tests.hostile.strategies import assert_indonesian
from tests.support.webchat import SAMPLE_KTP, Demo, Resident, before_first_file, sktm_script

MB = 1024 * 1024


def image(fmt: str, size: tuple[int, int] = (640, 400)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(buf, fmt)
    return buf.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG of `width` x `height` black pixels, compressed to well under 1 MB (one compressed block of
    rows, repeated: each ends in a full flush, so the copies stand alone)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = 100 if height % 100 == 0 else 1
    block = b"\x00" * ((width + 1) * rows)  # each row: filter type 0, then grey 0
    squeeze = zlib.compressobj(9)
    first = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    again = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    adler = (len(block) * (height // rows)) % 65521 << 16 | 1  # Adler-32 of that many zero bytes
    idat = first + again * (height // rows - 1) + b"\x03\x00" + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zip_of(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


JPEG, PNG = image("JPEG"), image("PNG")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
JPEG_COMMENT_HTML = JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(HTML) + 2) + HTML + JPEG[2:]
# (what, bytes, file name, declared type) -> the words its refusal must contain
HOSTILE: dict[str, tuple[bytes, str | None, str | None, str]] = {
    "oversized": (JPEG + b"\x00" * (10 * MB), "ktp.jpg", "image/jpeg", "terlalu besar"),
    "empty": (b"", "ktp.jpg", "image/jpeg", "kosong"),
    "truncated jpeg": (JPEG[: len(JPEG) // 2], "ktp.jpg", "image/jpeg", "rusak atau tidak lengkap"),
    "truncated png": (PNG[:-20], "ktp.png", "image/png", "rusak atau tidak lengkap"),
    "corrupt png": (PNG[:40] + bytes([PNG[40] ^ 0xFF]) + PNG[41:], "ktp.png", "image/png", "rusak"),
    "truncated pdf": (PDF[:-8], "kk.pdf", "application/pdf", "PDF rusak"),
    "pdf renamed .jpg": (PDF, "ktp.jpg", "image/jpeg", "tidak sesuai"),
    "png declared jpeg": (PNG, "foto", "image/jpeg", "tidak sesuai"),
    "html": (HTML, "ktp.html", "text/html", "tidak didukung"),
    "html named .jpg": (HTML, "ktp.jpg", "image/jpeg", "tidak didukung"),
    "svg": (SVG, "ktp.svg", "image/svg+xml", "tidak didukung"),
    "zip": (zip_of("ktp.jpg", JPEG), "ktp.zip", "application/zip", "tidak didukung"),
    "jpeg + html": (JPEG + HTML, "ktp.jpg", "image/jpeg", "data tambahan"),
    "jpeg + zip": (JPEG + zip_of("x.html", HTML), "ktp.jpg", "image/jpeg", "data tambahan"),
    "png + zip": (PNG + zip_of("x.html", HTML), "ktp.png", "image/png", "data tambahan"),
    "pdf + zip": (PDF + zip_of("x.html", HTML), "kk.pdf", "application/pdf", "data tambahan"),
    "pdf with html": (PDF.replace(b"<<>> endobj", b"<< /X (" + HTML + b") >> endobj"), "kk.pdf", None,
                      "data tambahan"),
    "html in a jpeg comment": (JPEG_COMMENT_HTML, "ktp.jpg", "image/jpeg", "data tambahan"),
    "bomb 30000 x 30000": (png_bomb(), "ktp.png", "image/png", "megapiksel"),
    "64 megapixels": (png_bomb(8000, 8000), "ktp.png", "image/png", "8000 x 8000 piksel"),
    "panorama": (png_bomb(9900, 300), "ktp.png", "image/png", "terlalu memanjang"),
}


@pytest.fixture
def never_decoded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Decoding any pixels fails the test: the intake reads headers only."""
    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError(f"pixels of a {self.size} image were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    yield


def test_the_bomb_is_small_and_announces_900_megapixels() -> None:
    data = png_bomb()
    assert len(data) < 1 * MB and struct.unpack(">II", data[16:24]) == (30_000, 30_000)
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's own guard stays in place: it refuses this even lazily
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_hostile_uploads_are_refused_with_one_clear_message(what: str, tmp_path: Path, never_decoded: None) -> None:
    data, name, declared, words = HOSTILE[what]
    store = UploadStore(tmp_path, max_bytes=10 * MB)
    started = time.perf_counter()
    with pytest.raises(UploadRefused) as refused:
        store.check(data, name, declared)
    message = str(refused.value)
    assert words in message and "\n" not in message, message
    assert_indonesian(message)
    assert time.perf_counter() - started < 2.0  # read, not decoded


@pytest.mark.parametrize("what", ["jpeg", "png", "pdf", "ultra hdr jpeg", "sample ktp", "no name", "pdf via .pdf"])
def test_real_files_are_taken(what: str, tmp_path: Path, never_decoded: None) -> None:
    data, name, declared, expected = {
        "jpeg": (JPEG, "ktp.jpg", "image/jpeg", "image/jpeg"),
        "png": (PNG, "ktp.PNG", "image/png", "image/png"),
        "pdf": (PDF, "kk.pdf", "application/pdf", "application/pdf"),
        "ultra hdr jpeg": (JPEG + image("JPEG", (320, 200)), "PXL_2026.jpg", "image/jpeg", "image/jpeg"),
        "sample ktp": (SAMPLE_KTP, "ktp-contoh.png", "image/png", "image/png"),
        "no name": (JPEG, None, None, "image/jpeg"),
        "pdf via .pdf": (PDF, "scan.pdf", "application/octet-stream", "application/pdf"),
    }[what]
    assert UploadStore(tmp_path, max_bytes=10 * MB).check(data, name, declared) == expected


async def test_a_bomb_through_the_web_chat_is_refused_and_nothing_is_stored(demo: Demo, never_decoded: None) -> None:
    resident = Resident(demo.client)
    await resident.open()
    await resident.run(before_first_file(sktm_script()))
    for what in ("bomb 30000 x 30000", "jpeg + html", "pdf renamed .jpg", "truncated jpeg"):
        data, name, declared, words = HOSTILE[what]
        answer, new = await resident.upload(data, name or "x", declared or "application/octet-stream")
        assert answer == {"ok": False}, (what, answer)  # the engine alone tells why, once
        assert len(new) == 1 and words in new[0]["text"], (what, new)
    async with demo.services.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Attachment)) == 0
    uploads = demo.settings.storage.uploads_dir
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
