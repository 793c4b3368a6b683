"""Hostile input for the fuzz tests: text with emoji, RTL and zero-width marks, NUL and other control
characters, other scripts' digits, markup, huge numbers, 10,000 characters; arbitrary JSON; and a check
that an answer is in Indonesian. `fuzz_variants` makes the default (a few hundred examples) and the slow
(>= 10,000) variant of a property."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

DEFAULT_EXAMPLES = 300
SLOW_EXAMPLES = 10_000
LONG = 10_000
PIECES = [
    "\x00", "\x01", "\x1b[31m", "\x7f", "\u0085", "\r\n", "\t", "\u200b", "\u200e", "\u200f", "\u202a", "\u202e",
    "\u2066", "\ufeff", "\ufffd", "\u0301", "🙂", "👨\u200d👩\u200d👧", "🇮🇩", "٦٢٧١", "６２７１", "𝟔𝟐𝟕𝟏", "²", "Ⅻ",
    "Siti", "Ma'ruf", "6271034507900001", "0812 3456 7890", "RT 3 RW 5", "05-07-1990", "2015", "3", "-", "ya",
    "<script>alert(1)</script>", "<svg onload=x>", "'; DROP TABLE resident; --", "{0}", "%s%n", "${jndi:x}",
    "../../etc/passwd", "9" * 5000, "-1", "1e400", "NaN", ":", "m:approve:", "c:", "/start", "@bot", " ",
]
_piece = st.sampled_from(PIECES)
hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(_piece, st.text(max_size=6)), max_size=12).map("".join),
    st.tuples(st.lists(_piece, min_size=1, max_size=4).map("".join), st.text(min_size=1, max_size=3))
    .map(lambda p: ((p[0] + p[1]) * LONG)[:LONG]),  # exactly 10,000 characters
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                      hostile_text)
json_value: st.SearchStrategy[Any] = st.recursive(
    json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)

INDONESIAN = {  # common Indonesian words, at least one of which any answer of the service has
    "di", "ke", "dari", "apa", "apakah", "siapa", "mana", "kapan", "berapa", "ini", "itu", "yang", "dan", "atau",
    "untuk", "dengan", "tidak", "ya", "anda", "bapak", "ibu", "kami", "akan", "sudah", "belum", "sedang", "bisa",
    "dapat", "harap", "mohon", "silakan", "terima", "kasih", "tersebut", "adalah", "pada", "dalam", "oleh", "juga",
    "lagi", "baru", "kirim", "contoh", "pilih", "ketik", "harus", "terlalu", "paling", "maaf", "berkas", "jawaban",
    "nama", "nomor", "tanggal", "tahun", "angka", "pilihan", "dikenali", "salah", "satu", "sesuai", "lebih", "jenis",
    "kosong", "ulang", "batas", "ukuran", "melebihi", "banyak", "sedikit", "karakter", "berisi", "lahir", "bulan",
    "hari", "misalnya", "saja", "ada", "permohonan", "surat", "kelurahan", "kecamatan", "boleh", "alamat", "tempat",
    "usaha", "pekerjaan", "agama", "status", "perkawinan", "keperluan", "lanjut", "batal", "bantuan", "kembali",
    "setuju", "selamat", "datang", "layanan", "foto", "data", "diri", "warga", "tinggal", "sejak", "hubungan",
    "anak", "ayah", "orang", "tua", "kematian", "sebab", "jam", "ketikkan", "isi", "ubah", "perbaiki", "kirimkan",
}
ENGLISH = {"error", "invalid", "exception", "traceback", "please", "must", "expected", "field", "required",
           "none", "null", "keyerror", "valueerror", "typeerror"}
_WORDS = re.compile(r"[a-z]+")


def assert_indonesian(message: str, echoed: str = "") -> None:
    """`message` (with the user's own `echoed` input taken out) reads as Indonesian, not as an English error."""
    text = message.replace(echoed, " ") if echoed else message
    words = set(_WORDS.findall(text.lower()))
    assert words & INDONESIAN, f"not Indonesian: {message[:200]!r}"
    assert not words & ENGLISH, f"English in the answer: {message[:200]!r}"


def fuzz_variants(prop: Callable[..., Coroutine[Any, Any, None] | None], examples: Iterable[dict[str, Any]] = (),
                  **strategies: st.SearchStrategy[Any]) -> tuple[Any, Any]:
    """(the default test, the slow test) of `prop` over `strategies`; both also try the explicit `examples`."""
    def build(max_examples: int) -> Any:
        test = given(**strategies)(prop)
        for kwargs in examples:
            test = example(**kwargs)(test)
        return settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                        database=None)(test)

    return build(DEFAULT_EXAMPLES), pytest.mark.slow(build(SLOW_EXAMPLES))


# Found by the slow runs once; tried by every run since.
KNOWN_HOSTILE = ["9" * LONG, "0" * 4999 + "7", "٦" * LONG, "\x00" * 50, "\u202e" + "1" * 4400, "🙂" * LONG,
                 "3 " + "9" * 5000, "RT 3 RW " + "5" * 5000]
