"""staff rank and NIP (printed under a staff signer's name), the signer's rank and NIP on the approval
signature, and the kelurahan's coat of arms (a PNG file under the data directory)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("staff", "rank", 100), ("staff", "nip", 18),
    ("approval_signature", "rank", 100), ("approval_signature", "nip", 18),
    ("kelurahan", "logo_file", 100),
)


def upgrade() -> None:
    for table, column, length in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=length), nullable=False, server_default=""))


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
