"""Reference data shipped with e-surat: the 30 kelurahan of Kota Palangka Raya.

Letterhead details (address, phone, signatory, NIP) are not public data; the seed
fills clearly marked placeholders that a deployment replaces with
`esurat kelurahan set SLUG ...`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from db.models import DEFAULT_NUMBERING_PATTERN

SEED_CSV = Path(__file__).parent / "seed" / "kelurahan-palangka-raya.csv"
PLACEHOLDER = "[CONTOH]"


@dataclass(frozen=True)
class KelurahanSeed:
    kecamatan: str
    name: str
    slug: str
    unit_code: str

    def row(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "name": self.name,
            "kecamatan": self.kecamatan,
            "unit_code": self.unit_code,
            "address": f"{PLACEHOLDER} Jl. Contoh No. 1, Kelurahan {self.name}",
            "phone": f"{PLACEHOLDER} (0536) 000000",
            "email": f"kel-{self.slug}@contoh.invalid",
            "postal_code": "73000",
            "signatory_name": f"{PLACEHOLDER} Nama Lurah {self.name}",
            "signatory_title": "Lurah",
            "signatory_rank": f"{PLACEHOLDER} Penata Tk. I (III/d)",
            "signatory_nip": "197001012000031001",
            "signatory_delegated": False,
            "numbering_pattern": DEFAULT_NUMBERING_PATTERN,
            "placeholder": True,
        }


def load_kelurahan_seed(path: Path = SEED_CSV) -> list[KelurahanSeed]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            KelurahanSeed(r["kecamatan"], r["kelurahan"], r["slug"], r["unit_code"])
            for r in csv.DictReader(f)
        ]
