"""approval chain: approval policy per kelurahan (and letter type), the signer of an approved request

Revision ID: 0009
Revises: 0008 (0007 is added in parallel; the chain is fixed when the branches are merged)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migration_columns import ID, TS

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approval_policy",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=False),
        sa.Column("letter_type", sa.String(length=32), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.UniqueConstraint("kelurahan_id", "letter_type", name="uq_approval_policy_kelurahan_type"),
    )
    op.create_index("ix_approval_policy_kelurahan_id", "approval_policy", ["kelurahan_id"])
    op.create_table(
        "approval_signature",
        sa.Column("request_id", ID, sa.ForeignKey("letter_request.id"), primary_key=True),
        sa.Column("staff_id", ID, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("delegated", sa.Boolean(), nullable=False),
        sa.Column("signed_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("approval_signature")
    op.drop_index("ix_approval_policy_kelurahan_id", table_name="approval_policy")
    op.drop_table("approval_policy")
