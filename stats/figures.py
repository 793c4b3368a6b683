"""The statistics of `/api/v1/statistik` and `/statistik` (SQL aggregation: `stats.queries`).

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
      "skm_per_jenis": {"sktm": {the same as "skm"}, ...},     # per service
      "kelurahan": [{"slug": ..., "nama": ..., "jumlah": n, "terbit": n, "persen_tepat_waktu": float|null,
                     "median_hari_terbit": float|null, "skm": float|null, "mutu": str|null}, ...],
    }
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.engine import read_only_session
from db.models import Kelurahan
from flows import Catalogue
from stats import queries
from stats.queries import Scope
from stats.skm_figures import kelurahan_skm, skm_figures

HOUR, DAY = 3600, 86400
DURATIONS = {"keputusan": ("decision_seconds", "decision_work_seconds"),
             "terbit": ("issue_seconds", "issue_work_seconds")}
Query = Callable[[AsyncSession], Awaitable[Any]]
_DIGITS = re.compile(r"\d{6,}")  # a number in a staff-written reason may be a NIK or KK: never published


@dataclass(frozen=True)
class Filters:
    dari: date | None = None
    sampai: date | None = None
    kelurahan: str | None = None  # slug
    jenis: str | None = None  # letter type code


class UnknownKelurahan(LookupError):
    """`Filters.kelurahan` names no kelurahan."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def compute_statistics(session: AsyncSession, catalogue: Catalogue, filters: Filters) -> dict[str, Any]:
    names = {k.id: (k.slug, k.name) for k in await session.scalars(select(Kelurahan).order_by(Kelurahan.name))}
    kel_id = None
    if filters.kelurahan is not None:
        kel_id = next((i for i, (slug, _) in names.items() if slug == filters.kelurahan), None)
        if kel_id is None:
            raise UnknownKelurahan(filters.kelurahan)
    scope = Scope(filters.dari, filters.sampai, kel_id, filters.jenis)
    by_status: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_kel: Counter[int] = Counter()
    by_channel: Counter[str] = Counter()
    issued: Counter[int] = Counter()
    within: Counter[int] = Counter()
    results = await _gather(session, {
        "counts": lambda s: queries.counts(s, scope),
        "kel_medians": lambda s: queries.percentiles(s, scope, "issue_seconds", (0.5,), by_kelurahan=True),
        "skm": lambda s: queries.skm_sums(s, scope),
        "reasons": lambda s: queries.rejection_reasons(s, scope),
        **{f"{name}:{column}": _percentiles_of(scope, column)
           for name, columns in DURATIONS.items() for column in columns},
        **{f"{name}:n": _count_of(scope, columns[0]) for name, columns in DURATIONS.items()},
    })
    for status, letter_type, kelurahan_id, channel, n, n_issued, n_within in results["counts"]:
        by_status[status] += n
        by_type[letter_type] += n
        by_kel[kelurahan_id] += n
        by_channel[channel] += n
        issued[kelurahan_id] += n_issued
        within[kelurahan_id] += n_within
    waktu = {name: _durations(results, name, calendar, worked) for name, (calendar, worked) in DURATIONS.items()}
    kel_medians, skm, reasons = results["kel_medians"], results["skm"], results["reasons"]
    total_issued, total_within = sum(issued.values()), sum(within.values())
    city_skm = skm_figures(skm.values())
    per_type_skm = {code: skm_figures(part for (_, c), part in skm.items() if c == code)
                    for code in sorted({c for _, c in skm})}
    return {
        "periode": {"dari": filters.dari.isoformat() if filters.dari else None,
                    "sampai": filters.sampai.isoformat() if filters.sampai else None},
        "filter": {"kelurahan": filters.kelurahan, "jenis": filters.jenis},
        "jumlah": sum(by_status.values()),
        "per_status": dict(sorted(by_status.items())),
        "per_jenis": dict(sorted(by_type.items())),
        "per_kelurahan": {names[i][0]: n for i, n in sorted(by_kel.items(), key=lambda kv: names[kv[0]][0])},
        "per_kanal": dict(sorted(by_channel.items())),
        "waktu": waktu,
        "dalam_waktu_layanan": {"terbit": total_issued, "tepat_waktu": total_within,
                                "persen": _percent(total_within, total_issued)},
        "penolakan": {"jumlah": by_status.get("rejected", 0),
                      "alasan": [{"alasan": _DIGITS.sub("…", reason), "jumlah": n} for reason, n in reasons]},
        "skm": city_skm,
        "skm_per_jenis": per_type_skm,
        "kelurahan": [
            {"slug": slug, "nama": name, "jumlah": by_kel[i], "terbit": issued[i],
             "persen_tepat_waktu": _percent(within[i], issued[i]),
             "median_hari_terbit": _round(kel_medians[i][0] / DAY) if i in kel_medians else None,
             **kelurahan_skm([part for (k, _), part in skm.items() if k == i])}
            for i, (slug, name) in names.items() if (kel_id is None or i == kel_id)
        ],
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _percentiles_of(scope: Scope, column: str) -> Query:
    return lambda s: queries.percentiles(s, scope, column, (0.5, 0.9))


def _count_of(scope: Scope, column: str) -> Query:
    return lambda s: queries.count_with(s, scope, column)


async def _gather(session: AsyncSession, work: dict[str, Query]) -> dict[str, Any]:
    """Run the queries side by side, each on its own read-only connection (the database uses a core for
    each), when the session is bound to an engine; else one after the other on the session."""
    engine = session.bind
    if not isinstance(engine, AsyncEngine):
        return {name: await query(session) for name, query in work.items()}

    async def run(query: Query) -> Any:
        async with read_only_session(engine) as own:
            return await query(own)

    values = await asyncio.gather(*(run(query) for query in work.values()))
    return dict(zip(work, values, strict=True))


def _durations(results: dict[str, Any], name: str, calendar: str, worked: str) -> dict[str, Any]:
    cal, work = results[f"{name}:{calendar}"].get(None), results[f"{name}:{worked}"].get(None)
    return {"jumlah": results[f"{name}:n"],
            "median_jam_kerja": _round(work[0] / HOUR) if work else None,
            "p90_jam_kerja": _round(work[1] / HOUR) if work else None,
            "median_hari": _round(cal[0] / DAY) if cal else None,
            "p90_hari": _round(cal[1] / DAY) if cal else None}
