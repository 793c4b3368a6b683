"""letter search for staff: a letter's kelurahan with its issue date, and the holder's NIK inside the request

Revision ID: 0010
Revises: 0008 (the head of this branch; the brief named 0006, and 0007 and 0009 are added in parallel:
the chain is fixed when they are merged)

`moderation.letters` finds a kelurahan's letters newest first (`ix_letter_kelurahan_issued`) and a
letter by its holder's NIK, read from the request's fields JSON through exactly the expression indexed
here (`ix_letter_request_nik`, `db.json_fields.JsonText`: `fields ->> 'nik'` on PostgreSQL,
`json_extract(fields, '$.nik')` on SQLite).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.json_fields import JsonText

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    op.create_index("ix_letter_kelurahan_issued", "letter", ["kelurahan_id", "issued_at"])
    op.create_index("ix_letter_request_nik", "letter_request", [JsonText(sa.column("fields"), "nik")])


def downgrade() -> None:
    op.drop_index("ix_letter_request_nik", table_name="letter_request")
    op.drop_index("ix_letter_kelurahan_issued", table_name="letter")
