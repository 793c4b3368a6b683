"""rate limits shared by the replicas: the outbox senders' send slots (per chat and per channel) and what
each replica's request limiters let each client spend a minute

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_slot",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("next_at", sa.Double(), nullable=False),
    )
    op.create_index("ix_send_slot_channel_next_at", "send_slot", ["channel", "next_at"])
    op.create_table(
        "rate_count",
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("minute", sa.BigInteger(), primary_key=True),
        sa.Column("replica", sa.String(40), primary_key=True),
        sa.Column("spent", sa.Double(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
    )
    op.create_index("ix_rate_count_at", "rate_count", ["at"])


def downgrade() -> None:
    op.drop_index("ix_rate_count_at", table_name="rate_count")
    op.drop_table("rate_count")
    op.drop_index("ix_send_slot_channel_next_at", table_name="send_slot")
    op.drop_table("send_slot")
