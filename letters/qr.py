"""QR codes for letters, encoded with zxing-cpp (C++, under 1 ms) at level M.

The pure-Python `qrcode` package is the fallback where zxing-cpp is missing (~16 ms).
The matrix is painted as an image mask (see `QrFlowable`), not with reportlab's slow
QR widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

if TYPE_CHECKING:
    from typing_extensions import Buffer

MAX_VERSION = 11
_DARK = bytes(1 if b < 128 else 0 for b in range(256))  # grey level -> 1 for a dark module
_BITS = bytes.maketrans(b"\x00\x01", b"01")


class QrTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class QrMatrix:
    size: int  # modules per side, without quiet zone
    rows: tuple[bytes, ...]  # 1 = dark

    @property
    def version(self) -> int:
        return (self.size - 17) // 4


def _encode_zxing(text: str) -> QrMatrix:
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = barcode.to_image(scale=1, add_quiet_zones=False)  # one byte per module, row-major
    size = int(image.shape[0])
    pixels = memoryview(cast("Buffer", image))
    flat = pixels.tobytes().translate(_DARK)
    rows = tuple(flat[i * size : (i + 1) * size] for i in range(size))
    return QrMatrix(size, rows)


def _encode_qrcode(text: str) -> QrMatrix:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    return QrMatrix(len(matrix), tuple(bytes(int(c) for c in row) for row in matrix))


def encode_qr(text: str) -> QrMatrix:
    """Encode at error-correction level M; refuses anything above version 11."""
    try:
        matrix = _encode_zxing(text)
    except ImportError:
        matrix = _encode_qrcode(text)
    if matrix.version > MAX_VERSION:
        raise QrTooLarge(f"QR version {matrix.version} > {MAX_VERSION} for {len(text)} characters")
    return matrix


def image_mask(matrix: QrMatrix) -> str:
    """The matrix as a PDF inline image mask (1 bit a module, hex-encoded) in unit space."""
    n = matrix.size
    pad = b"0" * (-n % 8)
    data = b"".join(
        int(row.translate(_BITS) + pad, 2).to_bytes((n + 7) // 8, "big") for row in matrix.rows
    ).hex()
    return f"BI /W {n} /H {n} /IM true /BPC 1 /D [1 0] /F /AHx ID {data}> EI"


class QrFlowable(Flowable):
    """The QR matrix at a fixed printed size, 4-module quiet zone, caption lines below.

    The modules are painted as one inline 1-bit image mask scaled to the printed size:
    sharp edges (PDF does not interpolate image masks unless told to), a few hundred
    bytes, and several times cheaper to produce than one rectangle per run of modules.
    """

    CAPTION_SIZE = 7.0

    def __init__(self, matrix: QrMatrix, side: float = 38 * mm, caption: tuple[str, ...] = (),
                 font: str = "Helvetica") -> None:
        super().__init__()
        self.matrix, self.side, self.caption, self.font = matrix, side, caption, font
        self.width = max([side, *(stringWidth(c, font, self.CAPTION_SIZE) for c in caption)])
        self.height = side + len(caption) * self.CAPTION_SIZE * 1.25

    def draw(self) -> None:
        n = self.matrix.size
        module = self.side / (n + 8)
        c = self.canv
        c.saveState()
        c.setFillColorRGB(0, 0, 0)
        left = (self.width - self.side) / 2 + 4 * module
        c.transform(n * module, 0, 0, n * module, left, self.height - self.side + 4 * module)
        c.addLiteral(image_mask(self.matrix))
        c.restoreState()
        c.setFont(self.font, self.CAPTION_SIZE)
        y = self.height - self.side
        for line in self.caption:
            y -= self.CAPTION_SIZE * 1.25
            c.drawCentredString(self.width / 2, y + 2, line)
