"""Apply Alembic migrations programmatically (`esurat db upgrade`, and at start-up)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from db.engine import private_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest migration's revision (what a database must be at to be served)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return str(head)


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url`; must be called outside a running event loop."""
    private_sqlite(url)  # a SQLite file created by the migration is 0600 from the start
    command.upgrade(alembic_config(url), revision)
