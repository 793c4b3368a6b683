"""a letter's signature kind (e-surat's seal or BSrE's certified signature) and its replacement when re-issued

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migration_columns import ID, TS

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letter") as batch:
        batch.add_column(sa.Column("signature_kind", sa.String(16), nullable=False, server_default="segel_esurat"))
        batch.add_column(sa.Column("superseded_by_id", ID, nullable=True))
        batch.add_column(sa.Column("superseded_at", TS, nullable=True))
        batch.create_foreign_key("fk_letter_superseded_by_id_letter", "letter", ["superseded_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("letter") as batch:
        batch.drop_constraint("fk_letter_superseded_by_id_letter", type_="foreignkey")
        batch.drop_column("superseded_at")
        batch.drop_column("superseded_by_id")
        batch.drop_column("signature_kind")
