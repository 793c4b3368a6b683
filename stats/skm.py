"""The community satisfaction index (Survei Kepuasan Masyarakat, SKM) of PermenPANRB No. 14 Tahun 2017, pure.

Nine elements U1..U9, each answered 1 (tidak baik) .. 4 (sangat baik). For each element the NRR
(nilai rata-rata) is the sum of its scores divided by the number of answers to it; the index is the
mean of the NRRs of the elements used (equal weights 1/n) times 25, so 25..100. Computed exactly
(no rounding of the weight 1/9 to 0.111 as some published worksheets do: 29 respondents scoring 955
over 9 elements give 955 / (29 x 9) x 25 = 91.48, not 90.56).

Elements asked in the chat (`ASKED`): U1 persyaratan, U2 prosedur, U3 waktu, U4 biaya, U5 produk and
U7 perilaku pelaksana. A resident who applied online never met U6 (kompetensi pelaksana), U8 (penanganan
pengaduan, saran dan masukan) or U9 (sarana dan prasarana): they cannot observe them, and six short
questions keep the survey quick in a chat. The index then uses those six elements with weights 1/6, as
the regulation allows (the weight is 1 / the number of elements used). The columns u6, u8 and u9 of
`skm_response` stay empty; `nrr` skips elements nobody answered.

Categories (mutu pelayanan) on the converted value: A Sangat Baik 88.31-100.00, B Baik 76.61-88.30,
C Kurang Baik 65.00-76.60, D Tidak Baik 25.00-64.99. The regulation's table is written with two
decimals, so `category` compares the index rounded to 2 decimals (half up): 88.305 is A, 88.3049 is B.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Element:
    code: str  # u1 .. u9 (the column of `skm_response`)
    name: str  # the regulation's name of the element
    question: str  # asked in the chat
    scale: tuple[str, str, str, str]  # what 1, 2, 3 and 4 mean for this question (the regulation's sample form)


ELEMENTS: tuple[Element, ...] = (
    Element("u1", "Persyaratan",
            "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("u2", "Sistem, mekanisme dan prosedur",
            "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan ini?",
            ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Element("u3", "Waktu penyelesaian",
            "Bagaimana pendapat Anda tentang kecepatan waktu penyelesaian pelayanan?",
            ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Element("u4", "Biaya/tarif",
            "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
            ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Element("u5", "Produk spesifikasi jenis pelayanan",
            "Bagaimana pendapat Anda tentang kesesuaian surat yang Anda terima dengan yang dijanjikan "
            "dalam standar pelayanan?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("u6", "Kompetensi pelaksana",
            "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
            ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Element("u7", "Perilaku pelaksana",
            "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan, terkait kesopanan dan keramahan?",
            ("Tidak sopan/ramah", "Kurang sopan/ramah", "Sopan dan ramah", "Sangat sopan/ramah")),
    Element("u8", "Penanganan pengaduan, saran dan masukan",
            "Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?",
            ("Tidak ada", "Tidak berfungsi", "Kurang maksimal", "Dikelola baik")),
    Element("u9", "Sarana dan prasarana",
            "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
            ("Buruk", "Cukup", "Baik", "Sangat baik")),
)
BY_CODE: dict[str, Element] = {e.code: e for e in ELEMENTS}
CODES: tuple[str, ...] = tuple(BY_CODE)
ASKED: tuple[str, ...] = ("u1", "u2", "u3", "u4", "u5", "u7")  # observable by a resident served online
SCORES = range(1, 5)
CONVERSION = 25  # NRR (1..4) x 25 -> 25..100
CATEGORIES: tuple[tuple[Decimal, str, str], ...] = (  # lowest value of the category, letter, label
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)


def nrr(answers: Iterable[Mapping[str, int | None]]) -> dict[str, float]:
    """NRR per element: the sum of its scores / the number of answers to it (None: not answered).
    Elements nobody answered are left out (they are not "used")."""
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for row in answers:
        for code in CODES:
            score = row.get(code)
            if score is None:
                continue
            if score not in SCORES:
                raise ValueError(f"{code}: nilai {score} di luar skala 1-4")
            sums[code] = sums.get(code, 0) + score
            counts[code] = counts.get(code, 0) + 1
    return {code: sums[code] / counts[code] for code in CODES if code in counts}


def index(nrr_by_element: Mapping[str, float]) -> float:
    """The SKM index (25..100, unrounded): the mean of the NRRs of the elements used, x 25."""
    if not nrr_by_element:
        raise ValueError("tidak ada unsur yang dinilai")
    unknown = set(nrr_by_element) - set(CODES)
    if unknown:
        raise ValueError(f"unsur tidak dikenal: {sorted(unknown)}")
    return sum(nrr_by_element.values()) / len(nrr_by_element) * CONVERSION


def rounded(value: float) -> Decimal:
    """The index as the regulation's table writes it: 2 decimals, half up."""
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def category(value: float) -> tuple[str, str]:
    """The quality category (mutu pelayanan) and its label of an index (25..100), e.g. ("A", "Sangat Baik")."""
    r = rounded(value)
    if not Decimal(25) <= r <= Decimal(100):
        raise ValueError(f"indeks {value} di luar rentang 25-100")
    return next((letter, label) for low, letter, label in CATEGORIES if r >= low)
