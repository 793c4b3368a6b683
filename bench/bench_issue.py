"""Benchmark: issuing one letter (render + QR + seal + PAdES + store) against WeasyPrint.

Median over BENCH_LETTERS letters (default 60) of an SKTM with three dependants, and, in the
same run (in turns of ten calls each), the median time WeasyPrint takes to render
the same letter (same text, the same QR as inline SVG) from HTML. Targets: render + QR +
seal at least 20x faster than the WeasyPrint render; the whole issue, PAdES signature and
storing included, at least 3x.
Writes bench/results/issue.json; exits 1 when a target is missed.

Needs: pip `weasyprint` (the `bench` extra) and Debian `libpango-1.0-0 libpangoft2-1.0-0`;
`rl-accel` (reportlab's C accelerator) is used when installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import HttpSettings, Settings, StorageSettings  # noqa: E402
from flows import load_catalogue  # noqa: E402
from flows.dates import format_date  # noqa: E402
from letters.letterhead import Letterhead  # noqa: E402
from letters.making import LetterMaker, LetterSpec  # noqa: E402
from letters.pki import LocalCA  # noqa: E402
from letters.signing import LocalCASigner  # noqa: E402
from letters.template import identity_rows, table_rows  # noqa: E402
from lifecycle.issuing import write_atomically  # noqa: E402
from tests.support.letter_samples import formatted  # noqa: E402
from verification.keys import KeyStore  # noqa: E402

LETTERS = int(os.environ.get("BENCH_LETTERS", "60"))
WARMUP = 5
TARGET_SEALED, TARGET_ISSUE = 20.0, 3.0
HEAD = Letterhead(
    kecamatan="Jekan Raya", kelurahan="Bukit Tunggal", kelurahan_slug="bukit-tunggal",
    address="Jl. Contoh Alamat No. 1 (DATA CONTOH)", phone="(0536) 000000", email="contoh@example.go.id",
    postal_code="73112", signatory_name="CONTOH NAMA LURAH, S.STP", signatory_rank="Penata Tk. I (III/d)",
    signatory_nip="198001012005011001",
)


def interleaved_medians(fns: dict[str, Callable[[], object]], n: int, block: int = 10) -> dict[str, float]:
    """Median ms of each function over `n` calls, run in turns of `block` calls, so that a
    burst of load on the machine falls on all of them alike while each runs warm."""
    for fn in fns.values():
        for _ in range(WARMUP):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(-(-n // block)):
        for name, fn in fns.items():
            for _ in range(block):
                t0 = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(ts) for name, ts in times.items()}


def letter_html(inp: LetterSpec, qr_svg: str) -> str:
    """The same letter as HTML/CSS, as a WeasyPrint-based system would write it."""
    defn, tpl = inp.letter_type, inp.letter_type.template
    ctx = {**inp.values, "kelurahan": HEAD.kelurahan, "kecamatan": HEAD.kecamatan, "kota": HEAD.city}
    ident = "".join(f"<tr><td>{escape(k)}</td><td>:</td><td>{escape(v)}</td></tr>"
                    for k, v in identity_rows(defn, inp.values))
    header, body = table_rows(defn, inp.rows)
    table = "<table class=grid><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>" + "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body) + "</table>"
    statement = "".join(f"<p>{escape(p.format(**ctx))}</p>" for p in tpl.statement)
    valid = f"<p>Surat keterangan ini berlaku sampai dengan {format_date(inp.valid_until)}.</p>" if inp.valid_until \
        else ""
    return f"""<!doctype html><html><head><meta charset=utf-8><style>
@page {{ size: A4; margin: 12mm 20mm 18mm 25mm }}
body {{ font-family: 'Times New Roman', serif; font-size: 11.5pt; line-height: 1.3 }}
.kop {{ text-align: center; border-bottom: 3px double #000; padding-bottom: 2mm }}
.kop b {{ display: block; font-size: 14pt }} .kop .big {{ font-size: 16pt }} .kop small {{ font-size: 9.5pt }}
h1 {{ text-align: center; font-size: 13pt; text-decoration: underline; margin: 5mm 0 0 }}
.no {{ text-align: center; margin-bottom: 3mm }} p {{ text-align: justify; margin: 1mm 0 }}
.ident td:first-child {{ padding-left: 8mm; width: 42mm }}
.grid {{ border-collapse: collapse; width: 100%; font-size: 10pt }} .grid td, .grid th {{ border: .5pt solid #000 }}
.sig {{ display: flex; justify-content: flex-end; gap: 4mm; margin-top: 5mm }} .qr svg {{ width: 34mm }}
.qr small {{ display: block; font: 7pt sans-serif; text-align: center }}
</style></head><body>
<div class=kop><b>PEMERINTAH KOTA {HEAD.city.upper()}</b><b>KECAMATAN {HEAD.kecamatan.upper()}</b>
<b class=big>KELURAHAN {HEAD.kelurahan.upper()}</b><small>{escape(HEAD.contact_line)}</small></div>
<h1>{escape(tpl.title.upper())}</h1><div class=no>Nomor: {escape(inp.number)}</div>
<p>{escape(tpl.opening.format(**ctx))}</p><table class=ident>{ident}</table>{statement}{table}
<p>Surat keterangan ini diberikan untuk keperluan: <b>{escape(inp.values.get("keperluan", ""))}</b>.</p>{valid}
<p>{escape(tpl.closing)}</p>
<div class=sig><div class=qr>{qr_svg}<small>Pindai untuk memeriksa keaslian surat ini</small></div>
<div>{HEAD.city}, {format_date(inp.issued_on)}<br>Lurah {HEAD.kelurahan}<br><br><br><br>
<b><u>{escape(HEAD.signatory_name)}</u></b><br>{escape(HEAD.signatory_rank)}<br>NIP. {HEAD.signatory_nip}</div></div>
</body></html>"""


def main() -> int:
    import weasyprint
    import zxingcpp

    tmp = Path(tempfile.mkdtemp(prefix="esurat-bench-"))
    settings = Settings(storage=StorageSettings(data_dir=tmp),
                        http=HttpSettings(public_url="https://esurat.palangkaraya.go.id"), _env_file=None)
    settings.storage.ensure_dirs()
    maker = LetterMaker(settings, KeyStore(settings.storage.keys_dir), LocalCASigner(LocalCA(tmp / "pki")))
    defn = load_catalogue()["sktm"]
    values, rows = formatted(defn, dependants=3)
    counter = iter(range(1, 10**6))

    def make_input() -> LetterSpec:
        number = f"400.12.2.2/{next(counter):03d}/BT/XI/2026"
        return LetterSpec(defn, HEAD, values, rows, number, datetime.now(UTC), "SITI AMINAH", "6271035205900001")

    def sealed() -> object:  # render + QR + seal
        return maker.make_unsigned(make_input())

    def issue() -> object:  # render + QR + seal + PAdES + SHA-256 + store (fsync)
        letter = maker.make(make_input())
        write_atomically(settings.storage.letters_dir / "2026" / f"{letter.public_id}.pdf", letter.pdf_bytes)
        return letter.pdf_sha256

    sample = maker.make_unsigned(make_input())
    barcode = zxingcpp.create_barcode(sample.qr_url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    html = letter_html(sample.spec, barcode.to_svg())

    def weasy() -> bytes:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()  # no target: the PDF's bytes
        return pdf

    medians = interleaved_medians({"sealed": sealed, "issue": issue, "weasy": weasy}, LETTERS)
    sealed_ms, issue_ms, weasy_ms = medians["sealed"], medians["issue"], medians["weasy"]
    ratios = {"sealed": weasy_ms / sealed_ms, "issue": weasy_ms / issue_ms}
    met = {"render_qr_seal": ratios["sealed"] >= TARGET_SEALED, "issue_total": ratios["issue"] >= TARGET_ISSUE}
    result = {
        "letters": LETTERS,
        "letter": "sktm, 3 dependants, A4, one page",
        "median_ms": {"render_qr_seal": round(sealed_ms, 2), "issue_total": round(issue_ms, 2),
                      "weasyprint_render": round(weasy_ms, 2)},
        "ratio_vs_weasyprint": {k: round(v, 1) for k, v in ratios.items()},
        "targets": {"render_qr_seal": TARGET_SEALED, "issue_total": TARGET_ISSUE},
        "met": met,
        "qr_version": sample.qr_version,
        "pdf_bytes": len(sample.pdf_bytes),
        "weasyprint_pdf_sha256": hashlib.sha256(weasy()).hexdigest()[:16],
        "versions": {p: version(p) for p in ("reportlab", "zxing-cpp", "pyHanko", "weasyprint")},
        "rl_accel": _has_rl_accel(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = ROOT / "bench" / "results" / "issue.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"issue benchmark, median of {LETTERS} letters (SKTM, 3 dependants):")
    print(f"  render + QR + seal        {sealed_ms:8.2f} ms   {ratios['sealed']:6.1f}x faster than WeasyPrint "
          f"(target {TARGET_SEALED:.0f}x)")
    print(f"  full issue (+PAdES,store) {issue_ms:8.2f} ms   {ratios['issue']:6.1f}x faster than WeasyPrint "
          f"(target {TARGET_ISSUE:.0f}x)")
    print(f"  WeasyPrint HTML render    {weasy_ms:8.2f} ms")
    print(f"  -> {out.relative_to(ROOT)}")
    return 0 if all(met.values()) else 1


def _has_rl_accel() -> bool:
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
