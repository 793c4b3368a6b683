"""Regenerates the sample KTP shipped with the demo (`static/ktp-contoh.png`): no real person's data.

    .venv/bin/python -m bot.webchat.sample_ktp

Needs Pillow (a test dependency); the service itself only serves the committed PNG.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).parent / "static" / "ktp-contoh.png"
ROWS = [
    ("NIK", "0000000000000000"),
    ("Nama", "CONTOH WARGA DEMO"),
    ("Tempat/Tgl Lahir", "CONTOH, 01-01-1990"),
    ("Alamat", "JL. CONTOH NO. 0"),
    ("Pekerjaan", "CONTOH"),
]


def make_sample(path: Path = SAMPLE) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    w, h = 640, 404
    img = Image.new("RGB", (w, h), "#dbe9f6")
    d = ImageDraw.Draw(img)
    title = ImageFont.load_default(size=26)
    body = ImageFont.load_default(size=19)
    big = ImageFont.load_default(size=54)
    d.rectangle([0, 0, w, 58], fill="#1d4e89")
    d.text((w // 2, 29), "KARTU TANDA PENDUDUK - CONTOH", font=title, fill="white", anchor="mm")
    y = 86
    for label, value in ROWS:
        d.text((24, y), label, font=body, fill="#1d1d1f")
        d.text((200, y), f": {value}", font=body, fill="#1d1d1f")
        y += 38
    d.rectangle([470, 80, 610, 250], outline="#1d4e89", width=3)
    d.text((540, 165), "FOTO", font=body, fill="#1d4e89", anchor="mm")
    stamp = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ds = ImageDraw.Draw(stamp)
    ds.text((w // 2, h // 2 + 40), "CONTOH / SPECIMEN", font=big, fill=(200, 30, 30, 170), anchor="mm")
    stamp = stamp.rotate(14, resample=Image.Resampling.BICUBIC)
    img.paste(stamp, (0, 0), stamp)
    d = ImageDraw.Draw(img)
    d.text((w // 2, h - 22), "Data contoh untuk demo e-surat - bukan dokumen resmi", font=body, fill="#b3261e",
           anchor="mm")
    img = img.quantize(colors=32)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)
    return path


if __name__ == "__main__":
    print(make_sample())
