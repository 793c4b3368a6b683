"""letters revoked or replaced since a moment: the change feed of the verification cache

Revision ID: 0015
Revises: 0014

Each process keeps the public records of letters in memory (`verification.record_cache`) and asks every second
which letters were revoked or replaced since it last asked; these two indexes answer that with two short range
scans (without them, a scan of every letter: ~0.1-0.2 s a second with 1,000,000).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_letter_revoked_at", "letter", ["revoked_at"])
    op.create_index("ix_letter_superseded_at", "letter", ["superseded_at"])


def downgrade() -> None:
    op.drop_index("ix_letter_superseded_at", table_name="letter")
    op.drop_index("ix_letter_revoked_at", table_name="letter")
