"""seed the 30 kelurahan of Kota Palangka Raya (letterhead placeholders)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.seed import load_kelurahan_seed

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = sa.table(
        "kelurahan",
        *(sa.column(c) for c in (
            "slug", "name", "kecamatan", "unit_code", "address", "phone", "email", "postal_code",
            "signatory_name", "signatory_title", "signatory_rank", "signatory_nip",
            "signatory_delegated", "numbering_pattern", "placeholder",
        )),
    )
    op.bulk_insert(table, [k.row() for k in load_kelurahan_seed()])


def downgrade() -> None:
    slugs = [k.slug for k in load_kelurahan_seed()]
    table = sa.table("kelurahan", sa.column("slug"))
    op.execute(table.delete().where(table.c.slug.in_(slugs)))
