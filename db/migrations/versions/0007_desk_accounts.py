"""desk: staff console accounts (argon2 hash, lock-out, set-up token) and server-side sessions

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migration_columns import ID, TS

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_account",
        sa.Column("id", ID, primary_key=True),
        sa.Column("staff_id", ID, sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("setup_token_hash", sa.String(64), nullable=True),
        sa.Column("setup_expires", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("staff_id"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("setup_token_hash"),
    )
    op.create_table(
        "desk_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", ID, sa.ForeignKey("desk_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
    )
    op.create_index("ix_desk_session_account_id", "desk_session", ["account_id"])


def downgrade() -> None:
    op.drop_table("desk_session")
    op.drop_table("desk_account")
