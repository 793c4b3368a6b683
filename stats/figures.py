"""The statistics of `/api/v1/statistik` and `/statistik` (STUB: the SQL aggregation lands next; the shape is fixed).

    {
      "periode": {"dari": "2026-01-01" | null, "sampai": "2026-12-31" | null},   # submission dates, WIB
      "filter": {"kelurahan": slug | null, "jenis": code | null},
      "jumlah": 123,                                   # requests submitted in the period
      "per_status": {"submitted": 3, "issued": 100, ...},
      "per_jenis": {"sktm": 80, ...},
      "per_kelurahan": {"bukit-tunggal": 50, ...},
      "per_kanal": {"telegram": 10, "whatsapp": 100, "web": 13},
      "waktu": {"keputusan": Durations, "terbit": Durations},
          # Durations = {"jumlah": n, "median_jam_kerja": float|null, "p90_jam_kerja": float|null,
          #              "median_hari": float|null, "p90_hari": float|null}
      "dalam_waktu_layanan": {"terbit": n, "tepat_waktu": n, "persen": float | null},
      "penolakan": {"jumlah": n, "alasan": [{"alasan": "...", "jumlah": n}, ...]},
      "skm": {"responden": n, "indeks": float | null, "mutu": "A"|"B"|"C"|"D"|null,
              "kinerja": "Sangat Baik"|...|null, "unsur": {"u1": float, ...}},
      "kelurahan": [{"slug": ..., "nama": ..., "jumlah": n, "terbit": n, "persen_tepat_waktu": float|null,
                     "median_hari_terbit": float|null, "skm": float|null, "mutu": str|null}, ...],
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows import Catalogue


@dataclass(frozen=True)
class Filters:
    dari: date | None = None
    sampai: date | None = None
    kelurahan: str | None = None  # slug
    jenis: str | None = None  # letter type code


def _durations() -> dict[str, Any]:
    return {"jumlah": 0, "median_jam_kerja": None, "p90_jam_kerja": None, "median_hari": None, "p90_hari": None}


async def compute_statistics(session: AsyncSession, catalogue: Catalogue, filters: Filters) -> dict[str, Any]:
    return {
        "periode": {"dari": filters.dari.isoformat() if filters.dari else None,
                    "sampai": filters.sampai.isoformat() if filters.sampai else None},
        "filter": {"kelurahan": filters.kelurahan, "jenis": filters.jenis},
        "jumlah": 0, "per_status": {}, "per_jenis": {}, "per_kelurahan": {}, "per_kanal": {},
        "waktu": {"keputusan": _durations(), "terbit": _durations()},
        "dalam_waktu_layanan": {"terbit": 0, "tepat_waktu": 0, "persen": None},
        "penolakan": {"jumlah": 0, "alasan": []},
        "skm": {"responden": 0, "indeks": None, "mutu": None, "kinerja": None, "unsur": {}},
        "kelurahan": [],
    }
