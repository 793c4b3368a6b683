"""partial indexes of the pending rows of the inbox and the outbox

Revision ID: 0016
Revises: 0015

The claims of the inbox and the outbox look for pending rows, the oldest of each chat; done rows stay for
days. Without these indexes a claim read every row of its channel (an index on `status` alone did not
serve PostgreSQL's generic plan of the prepared claim, and on a new table without statistics the planner
chose a nested loop over the whole channel: ~45 ms a claim at 6,000 rows). The claims name the status as
the literal 'pending', which these indexes' predicate matches.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_ONLY = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index("ix_inbound_update_pending", "inbound_update", ["channel", "chat_key", "id"],
                    postgresql_where=PENDING_ONLY, sqlite_where=PENDING_ONLY)
    op.create_index("ix_outbox_pending", "outbox", ["channel", "chat_id", "id"],
                    postgresql_where=PENDING_ONLY, sqlite_where=PENDING_ONLY)


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_index("ix_inbound_update_pending", table_name="inbound_update")
