"""The SQL behind the statistics (`stats.figures`): every figure is an aggregate computed by the database
over the requests submitted in the period, so the work grows with the rows only inside the database.

Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank ceil(p*n)
(1-based), a value that occurred. PostgreSQL computes it with `percentile_disc` (the same definition);
SQLite, which has no ordered-set aggregates, with `ROW_NUMBER()` over the sorted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LetterRequest, Resident, SkmResponse
from flows.dates import WIB

R = LetterRequest.__table__.c
S = SkmResponse.__table__.c
ELEMENTS = tuple(f"u{i}" for i in range(1, 10))


@dataclass(frozen=True)
class Scope:
    """Which requests: submitted on `dari`..`sampai` (WIB dates, inclusive), of a kelurahan and a type."""

    dari: date | None = None
    sampai: date | None = None
    kelurahan_id: int | None = None
    jenis: str | None = None


def _start_of(day: date) -> datetime:
    """00.00 WIB of `day` (a day a UTC datetime cannot hold is brought within 1900-9998)."""
    return datetime.combine(min(max(day, date(1900, 1, 1)), date(9998, 12, 31)), time(0, 0), WIB)


def scope_filter(scope: Scope, moment: Any, kelurahan_id: Any, letter_type: Any) -> list[ColumnElement[bool]]:
    """The rows of the scope: `moment` on its WIB dates, of its kelurahan and letter type."""
    where: list[ColumnElement[bool]] = [moment.is_not(None)]
    if scope.dari is not None:
        where.append(moment >= _start_of(scope.dari))
    if scope.sampai is not None:
        where.append(moment < _start_of(min(scope.sampai, date(9998, 12, 30)) + timedelta(days=1)))
    if scope.kelurahan_id is not None:
        where.append(kelurahan_id == scope.kelurahan_id)
    if scope.jenis is not None:
        where.append(letter_type == scope.jenis)
    return where


def request_filter(scope: Scope) -> list[ColumnElement[bool]]:
    return scope_filter(scope, R.submitted_at, R.kelurahan_id, R.letter_type)


async def counts(session: AsyncSession, scope: Scope) -> list[tuple[str, str, int, str, int, int, int]]:
    """(status, type, kelurahan id, channel, requests, issued, issued within the service time) per group."""
    issued = func.sum(case((R.issue_seconds.is_not(None), 1), else_=0))
    within = func.sum(case((R.within_service_time.is_(True), 1), else_=0))
    # (a request stored before its channel was: the resident's)
    channel = func.coalesce(R.channel, select(Resident.channel).where(Resident.id == R.resident_id)
                            .scalar_subquery()).label("channel")
    rows = await session.execute(
        select(R.status, R.letter_type, R.kelurahan_id, channel, func.count(), issued, within)
        .where(*request_filter(scope))
        .group_by(R.status, R.letter_type, R.kelurahan_id, channel)
    )
    return [(r[0], r[1], int(r[2]), r[3], int(r[4]), int(r[5] or 0), int(r[6] or 0)) for r in rows]


def rank(p: float, n: int) -> int:
    """The nearest rank (1-based) of the p-th percentile of n values: ceil(p*n), p in thousandths."""
    return max(1, (n * round(p * 1000) + 999) // 1000)


async def percentiles(session: AsyncSession, scope: Scope, column: str, ps: Sequence[float],
                      by_kelurahan: bool = False) -> dict[int | None, list[int]]:
    """The nearest-rank percentiles `ps` of a duration column over the scope's requests that have it,
    city-wide (key None) or per kelurahan (key: its id)."""
    value = R[column]
    where = [*request_filter(scope), value.is_not(None)]
    group = [R.kelurahan_id] if by_kelurahan else []
    if session.get_bind().dialect.name == "postgresql":
        aggregates = [func.percentile_disc(p).within_group(value) for p in ps]
        rows = await session.execute(select(*group, *aggregates).where(*where).group_by(*group))
        return {(int(r[0]) if by_kelurahan else None): [int(v) for v in r[len(group):]]
                for r in rows if r[len(group)] is not None}  # (no values: one row of NULLs)
    ordered = select(*group, value.label("v"),
                     func.row_number().over(partition_by=group or None, order_by=value).label("rn"),
                     func.count().over(partition_by=group or None).label("n")).where(*where).subquery()
    out: dict[int | None, list[int]] = {}
    key_cols = [ordered.c.kelurahan_id] if by_kelurahan else []
    rows = await session.execute(
        select(*key_cols, ordered.c.rn, ordered.c.n, ordered.c.v)
        .where(_any_rank(ordered.c.rn, ordered.c.n, ps))
    )
    found: dict[int | None, dict[int, int]] = {}
    sizes: dict[int | None, int] = {}
    for r in rows:
        key = int(r[0]) if by_kelurahan else None
        rn, n, v = (int(x) for x in r[len(key_cols):])
        found.setdefault(key, {})[rn] = v
        sizes[key] = n
    for key, by_rank in found.items():
        out[key] = [by_rank[rank(p, sizes[key])] for p in ps]
    return out


def _any_rank(rn: Any, n: Any, ps: Sequence[float]) -> ColumnElement[bool]:
    """rn is the nearest rank of one of `ps` among n values (`rank`, in integer arithmetic)."""
    conditions = []
    for p in ps:
        ceil_rank = (n * round(p * 1000) + 999) // 1000
        conditions.append(rn == case((ceil_rank < 1, 1), else_=ceil_rank))
    return or_(*conditions)


async def rejection_reasons(session: AsyncSession, scope: Scope, limit: int = 10) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(R.reason, func.count()).where(*request_filter(scope), R.status == "rejected", R.reason.is_not(None))
        .group_by(R.reason).order_by(func.count().desc(), R.reason).limit(limit)
    )
    return [(str(r[0]), int(r[1])) for r in rows]


Sums = dict[str, tuple[int, int]]  # element -> (sum of its scores, answers)


async def skm_sums(session: AsyncSession, scope: Scope) -> dict[tuple[int, str], tuple[int, Sums]]:
    """Per (kelurahan, letter type): (respondents, sums per element) of the survey answered in the period."""
    where = scope_filter(scope, S.answered_at, S.kelurahan_id, S.letter_type)
    columns = [agg for e in ELEMENTS for agg in (func.sum(S[e]), func.count(S[e]))]
    rows = await session.execute(select(S.kelurahan_id, S.letter_type, func.count(), *columns)
                                 .where(*where).group_by(S.kelurahan_id, S.letter_type))
    out: dict[tuple[int, str], tuple[int, Sums]] = {}
    for r in rows:
        sums = {e: (int(r[3 + 2 * i] or 0), int(r[4 + 2 * i] or 0)) for i, e in enumerate(ELEMENTS)}
        out[(int(r[0]), str(r[1]))] = (int(r[2]), sums)
    return out


async def count_with(session: AsyncSession, scope: Scope, column: str) -> int:
    """How many of the scope's requests have a value in `column` (were decided, were issued)."""
    return int(await session.scalar(select(func.count()).where(*request_filter(scope), R[column].is_not(None))) or 0)
