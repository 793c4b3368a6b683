"""Every figure of the statistics, on 10,000 generated requests across all 30 kelurahan, equals the same
figure computed here in plain Python from the generated timestamps (independently of the product's
working-time arithmetic, its stored durations and its SQL), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows import Catalogue
from flows.dates import WIB
from stats.figures import Filters, compute_statistics
from tests.support.stats_data import SKM_ELEMENTS, Answer, Generated, generate


def working_seconds(start: datetime, end: datetime) -> int:
    """Day by day: the overlap of (start, end) with 08:00-16:00 WIB, Monday to Friday."""
    a, b = start.astimezone(WIB), end.astimezone(WIB)
    total, day = 0.0, a.date()
    while day <= b.date():
        if day.weekday() < 5:
            opened = datetime(day.year, day.month, day.day, 8, tzinfo=WIB)
            closed = datetime(day.year, day.month, day.day, 16, tzinfo=WIB)
            total += max(0.0, (min(b, closed) - max(a, opened)).total_seconds())
        day += timedelta(days=1)
    return int(total)


def due(submitted: date, sla_days: int) -> date:
    day = submitted
    for _ in range(sla_days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def nearest_rank(values: list[int], p: Fraction) -> int:
    ordered = sorted(values)
    return ordered[max(1, ceil(p * len(ordered))) - 1]


def durations(values: list[tuple[int, int]]) -> dict[str, Any]:
    if not values:
        return {"jumlah": 0, "median_jam_kerja": None, "p90_jam_kerja": None, "median_hari": None, "p90_hari": None}
    calendar, worked = [c for c, _ in values], [w for _, w in values]
    half, ninety = Fraction(1, 2), Fraction(9, 10)
    return {"jumlah": len(values),
            "median_jam_kerja": round(nearest_rank(worked, half) / 3600, 2),
            "p90_jam_kerja": round(nearest_rank(worked, ninety) / 3600, 2),
            "median_hari": round(nearest_rank(calendar, half) / 86400, 2),
            "p90_hari": round(nearest_rank(calendar, ninety) / 86400, 2)}


def two_decimals(value: float) -> float:
    """Half up, as the regulation's table writes an index."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def category(index: float | None) -> str | None:
    if index is None:
        return None
    value = two_decimals(index)
    return "A" if value >= 88.31 else "B" if value >= 76.61 else "C" if value >= 65 else "D"


def skm(answers: list[Answer]) -> tuple[int, float | None, dict[str, float]]:
    sums: dict[str, list[int]] = {e: [] for e in SKM_ELEMENTS}
    for a in answers:
        for e, score in a.scores.items():
            if score is not None:
                sums[e].append(score)
    nrr = {e: sum(v) / len(v) for e, v in sums.items() if v}
    index = sum(nrr.values()) / len(nrr) * 25 if nrr else None
    return len(answers), index, {e: round(v, 2) for e, v in nrr.items()}


def expected(rows: list[Generated], answers: list[Answer], f: Filters, slugs: dict[int, str]) -> dict[str, Any]:
    def local(moment: datetime) -> date:
        return moment.astimezone(WIB).date()

    def chosen(r: Generated) -> bool:
        return (r.submitted_at is not None and (f.dari is None or local(r.submitted_at) >= f.dari)
                and (f.sampai is None or local(r.submitted_at) <= f.sampai)
                and (f.kelurahan is None or r.slug == f.kelurahan) and (f.jenis is None or r.letter_type == f.jenis))

    picked = [r for r in rows if chosen(r)]
    issued = [r for r in picked if r.issued_at is not None]
    on_time = [r for r in issued if r.issued_at and r.submitted_at
               and local(r.issued_at) <= due(local(r.submitted_at), r.sla_days)]
    reasons = Counter(r.reason for r in picked if r.status == "rejected" and r.reason)

    def seconds(a: datetime, b: datetime) -> tuple[int, int]:
        return int((b - a).total_seconds()), working_seconds(a, b)

    def answered(a: Answer) -> bool:
        return ((f.dari is None or local(a.answered_at) >= f.dari)
                and (f.sampai is None or local(a.answered_at) <= f.sampai)
                and (f.kelurahan is None or slugs[a.kelurahan_id] == f.kelurahan)
                and (f.jenis is None or a.letter_type == f.jenis))

    in_period = [a for a in answers if answered(a)]
    respondents, index, nrr = skm(in_period)
    per_type = {}
    for code in sorted({a.letter_type for a in in_period}):
        n, i, u = skm([a for a in in_period if a.letter_type == code])
        per_type[code] = {"responden": n, "indeks": two_decimals(i) if i is not None else None, "mutu": category(i),
                          "unsur": u}
    per_kel: dict[str, Any] = {}
    for kel_id, slug in slugs.items():
        if f.kelurahan not in (None, slug):
            continue
        mine = [r for r in picked if r.kelurahan_id == kel_id]
        mine_issued = [r for r in issued if r.kelurahan_id == kel_id]
        mine_on_time = [r for r in on_time if r.kelurahan_id == kel_id]
        kel_index = skm([a for a in in_period if a.kelurahan_id == kel_id])[1]
        issue_days = [int((r.issued_at - r.submitted_at).total_seconds()) for r in mine_issued
                      if r.issued_at and r.submitted_at]
        per_kel[slug] = {"jumlah": len(mine), "terbit": len(mine_issued),
                         "persen_tepat_waktu": round(100 * len(mine_on_time) / len(mine_issued), 2)
                         if mine_issued else None,
                         "median_hari_terbit": round(nearest_rank(issue_days, Fraction(1, 2)) / 86400, 2)
                         if issue_days else None,
                         "skm": two_decimals(kel_index) if kel_index is not None else None, "mutu": category(kel_index)}
    return {
        "jumlah": len(picked),
        "per_status": dict(Counter(r.status for r in picked)),
        "per_jenis": dict(Counter(r.letter_type for r in picked)),
        "per_kelurahan": dict(Counter(r.slug for r in picked)),
        "per_kanal": dict(Counter(r.channel for r in picked)),
        "waktu": {
            "keputusan": durations([seconds(r.submitted_at, r.decided_at) for r in picked
                                    if r.submitted_at and r.decided_at]),
            "terbit": durations([seconds(r.submitted_at, r.issued_at) for r in issued
                                 if r.submitted_at and r.issued_at]),
        },
        "dalam_waktu_layanan": {"terbit": len(issued), "tepat_waktu": len(on_time),
                                "persen": round(100 * len(on_time) / len(issued), 2) if issued else None},
        "penolakan": {"jumlah": sum(1 for r in picked if r.status == "rejected"), "alasan": reasons},
        "skm": {"responden": respondents, "indeks": two_decimals(index) if index is not None else None,
                "mutu": category(index), "unsur": nrr},
        "skm_per_jenis": per_type,
        "kelurahan": per_kel,
    }


def compare(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key in ("jumlah", "per_status", "per_jenis", "per_kelurahan", "per_kanal", "waktu", "dalam_waktu_layanan"):
        assert got[key] == want[key], key
    assert got["penolakan"]["jumlah"] == want["penolakan"]["jumlah"]
    reasons = want["penolakan"]["alasan"]
    listed = got["penolakan"]["alasan"]
    assert [item["jumlah"] for item in listed] == sorted((n for n in reasons.values()), reverse=True)[:10]
    for item in listed:  # a long number in a reason (a NIK) is never published
        assert not any(ch.isdigit() for ch in item["alasan"]) or item["alasan"] in reasons
        original = next(r for r in reasons if r.replace("6271031234567890", "…") == item["alasan"])
        assert reasons[original] == item["jumlah"]
    for key in ("responden", "indeks", "mutu", "unsur"):
        assert got["skm"][key] == want["skm"][key], key
    assert {code: {k: v for k, v in figures.items() if k != "kinerja"} for code, figures in got["skm_per_jenis"].items()
            } == want["skm_per_jenis"]
    fields = ("jumlah", "terbit", "persen_tepat_waktu", "median_hari_terbit", "skm", "mutu")
    assert {k["slug"]: {f: k[f] for f in fields} for k in got["kelurahan"]} == want["kelurahan"]


FILTERS: list[Callable[[list[Generated]], Filters]] = [
    lambda rows: Filters(),
    lambda rows: Filters(dari=date(2026, 3, 1), sampai=date(2026, 6, 30)),
    lambda rows: Filters(kelurahan="bukit-tunggal"),
    lambda rows: Filters(jenis=rows[0].letter_type, dari=date(2026, 2, 1)),
    lambda rows: Filters(kelurahan="menteng", jenis=rows[1].letter_type, sampai=date(2026, 9, 30)),
    lambda rows: (lambda d: Filters(dari=d, sampai=d))(  # one day: its midnight submissions count, the next's not
        next(r.submitted_at for r in rows if r.submitted_at and r.submitted_at.astimezone(WIB).hour == 0
             and r.submitted_at.astimezone(WIB).minute == 0).astimezone(WIB).date()),
    lambda rows: Filters(dari=date(2025, 1, 1), sampai=date(2025, 12, 31)),  # nothing
]


async def test_every_figure_matches_plain_python(sessions: async_sessionmaker[AsyncSession],
                                                 catalogue: Catalogue) -> None:
    rows, answers = await generate(sessions, catalogue, n=10_000)
    assert len({r.slug for r in rows}) == 30 and len(rows) == 10_000
    slugs = {r.kelurahan_id: r.slug for r in rows}
    for make in FILTERS:
        f = make(rows)
        async with sessions() as session:
            got = await compute_statistics(session, catalogue, f)
        compare(got, expected(rows, answers, f, slugs))
    async with sessions() as session:
        everything = await compute_statistics(session, catalogue, Filters())
    assert everything["jumlah"] > 9000 and everything["skm"]["responden"] > 1000
    assert everything["waktu"]["terbit"]["median_jam_kerja"] is not None


async def test_the_farthest_dates_are_no_error(sessions: async_sessionmaker[AsyncSession],
                                               catalogue: Catalogue) -> None:
    async with sessions() as session:
        got = await compute_statistics(session, catalogue, Filters(dari=date(1, 1, 1), sampai=date(9999, 12, 31)))
    assert got["jumlah"] == 0


async def test_an_empty_database_has_no_figures(sessions: async_sessionmaker[AsyncSession],
                                                catalogue: Catalogue) -> None:
    async with sessions() as session:
        got = await compute_statistics(session, catalogue, Filters())
    assert got["jumlah"] == 0 and got["waktu"]["terbit"]["median_hari"] is None
    assert got["skm"]["indeks"] is None and len(got["kelurahan"]) == 30


@pytest.mark.parametrize(("index", "mutu"), [(100, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.60, "C"),
                                             (65.0, "C"), (64.99, "D"), (25, "D")])
def test_category_boundaries(index: float, mutu: str) -> None:
    from stats.skm_figures import skm_category

    assert skm_category(index)[0] == mutu == category(index)


async def test_callers_at_the_same_moment_share_one_aggregation(sessions: async_sessionmaker[AsyncSession],
                                                                catalogue: Catalogue) -> None:
    from stats.service import Statistics

    stats = Statistics(sessions, catalogue, ttl=0)  # no cache: only the sharing counts
    made = await asyncio.gather(*(stats.figures(Filters()) for _ in range(5)))
    assert stats.computed == 1 and len({id(m) for m in made}) == 1
    await asyncio.gather(*(stats.figures(Filters(jenis=t.code)) for t in catalogue))
    assert stats.computed == 1 + len(list(catalogue))
    await stats.figures(Filters())
    assert stats.computed == 2 + len(list(catalogue))  # done, not kept: computed again
