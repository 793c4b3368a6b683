"""the city's view: the request's channel and the durations stored on it when decided and issued
(statistics, with one index that covers what they read), the service-time reminder marks,
the satisfaction survey's answers (SKM) and other agencies' API keys

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.json_fields import JsonText
from db.migration_columns import ID, TS

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_COLUMNS = (
    ("channel", sa.String(16)),
    ("decision_seconds", sa.Integer()), ("decision_work_seconds", sa.Integer()),
    ("issue_seconds", sa.Integer()), ("issue_work_seconds", sa.Integer()),
    ("within_service_time", sa.Boolean()),
    ("reminded_near_at", TS), ("reminded_late_at", TS),
)

STATISTICS_INDEX = ("submitted_at", "kelurahan_id", "letter_type", "status", "channel", "decision_seconds",
                    "decision_work_seconds", "issue_seconds", "issue_work_seconds", "within_service_time")


def upgrade() -> None:
    with op.batch_alter_table("letter_request") as batch:
        for name, type_ in REQUEST_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.execute("UPDATE letter_request SET channel = "
               "(SELECT resident.channel FROM resident WHERE resident.id = letter_request.resident_id)")
    op.create_index("ix_letter_request_statistics", "letter_request", list(STATISTICS_INDEX))
    op.create_index("ix_letter_request_kelurahan_submitted", "letter_request", ["kelurahan_id", "submitted_at"])
    op.create_table(
        "skm_response",
        sa.Column("id", ID, primary_key=True),
        sa.Column("request_id", ID, sa.ForeignKey("letter_request.id"), nullable=False, unique=True),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=False),
        sa.Column("letter_type", sa.String(32), nullable=False),
        *[sa.Column(f"u{i}", sa.Integer(), nullable=True) for i in range(1, 10)],
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", TS, nullable=False),
    )
    op.create_index("ix_skm_response_kelurahan_id", "skm_response", ["kelurahan_id"])
    op.create_index("ix_skm_response_answered_at", "skm_response", ["answered_at"])
    op.create_table(
        "agency",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("agency")
    op.drop_index("ix_skm_response_answered_at", "skm_response")
    op.drop_index("ix_skm_response_kelurahan_id", "skm_response")
    op.drop_table("skm_response")
    op.drop_index("ix_letter_request_kelurahan_submitted", "letter_request")
    op.drop_index("ix_letter_request_statistics", "letter_request")
    # SQLite's batch mode copies the table and cannot carry 0010's expression index over: drop and remake it.
    op.drop_index("ix_letter_request_nik", table_name="letter_request")
    with op.batch_alter_table("letter_request") as batch:
        for name, _ in reversed(REQUEST_COLUMNS):
            batch.drop_column(name)
    op.create_index("ix_letter_request_nik", "letter_request", [JsonText(sa.column("fields"), "nik")])
