"""Column types the Alembic migrations share (frozen: a migration's schema must not change with the models)."""

from __future__ import annotations

import sqlalchemy as sa

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # 64-bit ids; SQLite's INTEGER PRIMARY KEY is its rowid
TS = sa.DateTime(timezone=True)
