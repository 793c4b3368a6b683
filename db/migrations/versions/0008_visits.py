"""visits: per-kelurahan visit schedule, holidays, bookings and the per-slot booking count

Revision ID: 0008
Revises: 0007 (desk accounts; both were written in parallel on 0006)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migration_columns import ID, TS

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_schedule",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("open_minute", sa.Integer(), nullable=False),
        sa.Column("close_minute", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.UniqueConstraint("kelurahan_id", "weekday", name="uq_visit_schedule_kelurahan_weekday"),
    )
    op.create_index("ix_visit_schedule_kelurahan_id", "visit_schedule", ["kelurahan_id"])
    op.create_table(
        "holiday",
        sa.Column("id", ID, primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_index("ix_holiday_day", "holiday", ["day"])
    op.create_index("ix_holiday_kelurahan_id", "holiday", ["kelurahan_id"])
    op.create_table(
        "visit_slot_count",
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), primary_key=True),
        sa.Column("slot_start", TS, primary_key=True),
        sa.Column("booked", sa.Integer(), nullable=False),
    )
    op.create_table(
        "visit_booking",
        sa.Column("id", ID, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("resident_id", ID, sa.ForeignKey("resident.id"), nullable=False),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=False),
        sa.Column("letter_type", sa.String(32), nullable=False),
        sa.Column("slot_start", TS, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("marked_by", ID, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("reminded_at", TS, nullable=True),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_visit_booking_resident_id", "visit_booking", ["resident_id"])
    op.create_index("ix_visit_booking_kelurahan_id", "visit_booking", ["kelurahan_id"])
    op.create_index("ix_visit_booking_slot_start", "visit_booking", ["slot_start"])


def downgrade() -> None:
    op.drop_table("visit_booking")
    op.drop_table("visit_slot_count")
    op.drop_table("holiday")
    op.drop_table("visit_schedule")
