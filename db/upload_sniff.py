"""What an uploaded file really is, decided by its content before it is stored, without decoding any pixels.

Accepted: a JPEG or PNG image that is whole (its structure read to its end marker, nothing after it) and
of a size a moderation card can show, or a whole PDF. Refused, each with one Indonesian sentence: other
types (HTML, SVG, ZIP...), a file whose name or declared type says another of the accepted types, a
truncated image or PDF, a file with something appended or embedded (a ZIP directory, HTML; further
JPEG images after a JPEG, as in Ultra HDR photos, are allowed), and an
image whose header announces more pixels than `MAX_PIXELS` (a decompression bomb: only the header is
read, by Pillow's lazy `Image.open`; Pillow's own `MAX_IMAGE_PIXELS` guard stays in place).
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
KIND = {JPEG: "JPEG", PNG: "PNG", PDF: "PDF"}
MAX_PIXELS = 40_000_000  # 40 megapixels
MAX_SIDES = 10_000  # width + height, as Telegram allows for a photo (the moderation card shows it)
MAX_RATIO = 20
_CLAIMS = {".jpg": JPEG, ".jpeg": JPEG, ".jfif": JPEG, ".png": PNG, ".pdf": PDF,
           "image/jpeg": JPEG, "image/jpg": JPEG, "image/pjpeg": JPEG, "image/png": PNG, "application/pdf": PDF}
_MARKUP = re.compile(rb"<(?:script|html|svg|iframe|!doctype|\?php|body|object|embed)[\s>/]")
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_557  # a ZIP reader looks for its directory this far from the end
UNSUPPORTED = "Jenis berkas tidak didukung; kirim foto JPEG/PNG atau PDF."
BROKEN_IMAGE = "Gambar rusak atau tidak lengkap; kirim ulang fotonya."
BROKEN_PDF = "PDF rusak atau tidak lengkap; kirim ulang berkasnya."
SMUGGLED = ("Berkas berisi data tambahan yang tidak diizinkan (misalnya arsip, video atau halaman web); "
            "kirim foto biasa (JPEG/PNG) atau PDF.")


class UploadRefused(ValueError):
    """str(error) is the Indonesian answer for the resident."""


def sniff_media_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.lstrip()[:5] == b"%PDF-":
        return PDF
    return None


def claimed_type(name: str | None, declared_type: str | None) -> str | None:
    """The accepted type a file's name (extension) or declared media type says it is, if any."""
    ext = "." + name.rsplit(".", 1)[1].lower() if name and "." in name else ""
    declared = (declared_type or "").split(";")[0].strip().lower()
    return _CLAIMS.get(ext) or _CLAIMS.get(declared)


def _png_end(data: bytes) -> int:
    """The offset after the IEND chunk, every chunk's CRC checked; ValueError if cut short or corrupt."""
    at = 8
    while True:
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end: int = at + 12 + length
        if end > len(data) or zlib.crc32(data[at + 4:at + 8 + length]) != int.from_bytes(data[end - 4:end], "big"):
            raise ValueError("chunk cut short or corrupt")
        if kind == b"IEND":
            return end
        at = end


def _jpeg_end(data: bytes) -> int:
    """The offset after the EOI marker, walking segments and entropy-coded data; ValueError if cut short."""
    at = 2
    while True:
        if data[at] != 0xFF:
            raise ValueError("marker expected")
        while data[at + 1] == 0xFF:  # fill bytes
            at += 1
        marker = data[at + 1]
        if marker == 0xD9:
            return at + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
        if marker == 0xDA:  # entropy-coded data: up to the next marker that is not a stuffed byte or a restart
            while True:
                at = data.index(b"\xff", at)
                if data[at + 1] != 0x00 and not 0xD0 <= data[at + 1] <= 0xD7:
                    break
                at += 2


def _image(data: bytes, media_type: str) -> None:
    try:
        end = _png_end(data) if media_type == PNG else _jpeg_end(data)
    except (ValueError, IndexError, struct.error):
        raise UploadRefused(BROKEN_IMAGE) from None
    rest = data[end:]
    while media_type == JPEG and rest.startswith(b"\xff\xd8\xff"):  # further images (an Ultra HDR gain map)
        try:
            rest = rest[_jpeg_end(rest):]
        except (ValueError, IndexError):
            raise UploadRefused(SMUGGLED) from None
    if rest.strip(b"\x00\r\n\t "):
        raise UploadRefused(SMUGGLED)
    try:
        with Image.open(io.BytesIO(data)) as img:  # lazy: reads the header, decodes no pixels
            width, height = img.size
    except Image.DecompressionBombError:
        raise UploadRefused(too_many_pixels(0, 0)) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors for a header it cannot read
        raise UploadRefused(BROKEN_IMAGE) from None
    if width < 1 or height < 1:
        raise UploadRefused(BROKEN_IMAGE)
    if width * height > MAX_PIXELS or width + height > MAX_SIDES or max(width, height) > MAX_RATIO * min(width, height):
        raise UploadRefused(too_many_pixels(width, height))


def too_many_pixels(width: int, height: int) -> str:
    size = f" ({width} x {height} piksel)" if width else ""
    return (f"Ukuran gambar{size} terlalu besar atau terlalu memanjang; kirim foto biasa dengan resolusi "
            f"paling banyak {MAX_PIXELS // 1_000_000} megapiksel.")


def inspect(data: bytes, name: str | None = None, declared_type: str | None = None) -> str:
    """The media type of an acceptable upload; UploadRefused (with the resident's message) for anything else."""
    media_type = sniff_media_type(data)
    if media_type is None:
        raise UploadRefused(UNSUPPORTED)
    claimed = claimed_type(name, declared_type)
    if claimed is not None and claimed != media_type:
        raise UploadRefused(f"Isi berkas ({KIND[media_type]}) tidak sesuai dengan namanya atau jenisnya "
                            f"({KIND[claimed]}); kirim berkas aslinya.")
    if _ZIP_END in data[-_ZIP_TAIL:] or _MARKUP.search(data.lower()):
        raise UploadRefused(SMUGGLED)
    if media_type == PDF:
        tail = data.rstrip(b"\x00\r\n\t ")
        if not tail.endswith(b"%%EOF"):
            raise UploadRefused(BROKEN_PDF)
    else:
        _image(data, media_type)
    return media_type
