"""INSERT ... ON CONFLICT on either database: PostgreSQL and SQLite each have their own `insert` construct
(`on_conflict_do_nothing`/`on_conflict_do_update`). `insert_for` gives a session's; `per_dialect` builds a
statement once for each, `of_session` picks the one for a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
Insert = Callable[..., postgresql.Insert | sqlite.Insert]
_INSERTS: dict[str, Insert] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_of(session: AsyncSession) -> str:
    """"postgresql" or "sqlite" (the embedded default)."""
    name = session.bind.dialect.name if session.bind else "sqlite"
    return "postgresql" if name == "postgresql" else "sqlite"


def insert_for(session: AsyncSession) -> Insert:
    return _INSERTS[dialect_of(session)]


def per_dialect(build: Callable[[Insert], T]) -> dict[str, T]:
    """`build(insert)` for each database, once (at import: statements built once, values bound at each call)."""
    return {name: build(insert) for name, insert in _INSERTS.items()}


def of_session(statements: dict[str, Any], session: AsyncSession) -> Any:
    return statements[dialect_of(session)]
