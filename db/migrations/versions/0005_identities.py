"""one identity table for staff on every channel, one for the kelurahan's moderation chats

Staff were known by per-channel columns (staff.telegram_user_id, whatsapp_phone, web_login) and the
moderation chats by kelurahan.telegram_chat_id and whatsapp_group. They become rows of
`staff_identity` (staff_id, channel, external_id) and `moderation_chat` (kelurahan_id, channel, chat_id);
the old columns are dropped. An id held by two rows before (not allowed now: one id, one staff member,
one kelurahan) goes to the active staff member registered last, or to the kelurahan with the lowest id.

Revision ID: 0005
Revises: 0004
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migration_columns import ID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# (old column, channel) of every per-channel column of staff and of kelurahan.
STAFF_COLUMNS = (("telegram_user_id", "telegram"), ("whatsapp_phone", "whatsapp"), ("web_login", "web"))
CHAT_COLUMNS = (("telegram_chat_id", "telegram"), ("whatsapp_group", "whatsapp"))

staff_identity = sa.table("staff_identity", sa.column("staff_id", ID), sa.column("channel", sa.String),
                          sa.column("external_id", sa.String))
moderation_chat = sa.table("moderation_chat", sa.column("kelurahan_id", ID), sa.column("channel", sa.String),
                           sa.column("chat_id", sa.String))


def _create_tables() -> None:
    op.create_table(
        "staff_identity",
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "external_id", name="uq_staff_identity_channel_external_id"),
    )
    op.create_index("ix_staff_identity_staff_id", "staff_identity", ["staff_id"])
    op.create_table(
        "moderation_chat",
        sa.Column("id", ID, nullable=False),
        sa.Column("kelurahan_id", ID, sa.ForeignKey("kelurahan.id"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat_id", name="uq_moderation_chat_channel_chat_id"),
    )
    op.create_index("ix_moderation_chat_kelurahan_id", "moderation_chat", ["kelurahan_id"])


def _copy_identities(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text(
        "SELECT id, telegram_user_id, whatsapp_phone, web_login FROM staff ORDER BY active DESC, id DESC"
    )).all()
    taken: set[tuple[str, str]] = set()
    for staff_id, *values in rows:
        for (column, channel), value in zip(STAFF_COLUMNS, values, strict=True):
            if value is None or str(value) == "":
                continue
            key = (channel, str(value))
            if key in taken:
                log.warning("staff %s: %s already belongs to another staff member; not copied", staff_id, column)
                continue
            taken.add(key)
            conn.execute(staff_identity.insert().values(staff_id=staff_id, channel=channel, external_id=key[1]))


def _copy_chats(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text("SELECT id, telegram_chat_id, whatsapp_group FROM kelurahan ORDER BY id")).all()
    taken: set[tuple[str, str]] = set()
    for kelurahan_id, *values in rows:
        for (column, channel), value in zip(CHAT_COLUMNS, values, strict=True):
            if value is None or str(value) == "":
                continue
            key = (channel, str(value))
            if key in taken:
                log.warning("kelurahan %s: %s is another kelurahan's chat; not copied", kelurahan_id, column)
                continue
            taken.add(key)
            conn.execute(moderation_chat.insert().values(kelurahan_id=kelurahan_id, channel=channel, chat_id=key[1]))


def upgrade() -> None:
    _create_tables()
    conn = op.get_bind()
    _copy_identities(conn)
    _copy_chats(conn)
    with op.batch_alter_table("staff") as batch:
        batch.drop_index("ix_staff_telegram_user_id")
        batch.drop_index("ix_staff_whatsapp_phone")
        batch.drop_column("telegram_user_id")
        batch.drop_column("whatsapp_phone")
        batch.drop_column("web_login")
    with op.batch_alter_table("kelurahan") as batch:
        batch.drop_column("telegram_chat_id")
        batch.drop_column("whatsapp_group")


def _old_value(channel: str, value: str) -> object:
    """`value` as the old column holds it (Telegram ids were BIGINT); None if it cannot be."""
    if channel != "telegram":
        return value
    try:
        return int(value)
    except ValueError:
        return None


def _copy_back(conn: sa.Connection) -> None:
    """Each staff member's and kelurahan's first identity per channel (an old column holds one)."""
    staff = sa.table("staff", sa.column("id", ID), sa.column("telegram_user_id", sa.BigInteger),
                     sa.column("whatsapp_phone", sa.String), sa.column("web_login", sa.String))
    kelurahan = sa.table("kelurahan", sa.column("id", ID), sa.column("telegram_chat_id", sa.BigInteger),
                         sa.column("whatsapp_group", sa.String))
    for table, query, columns in (
        (staff, "SELECT staff_id, channel, external_id FROM staff_identity ORDER BY id", STAFF_COLUMNS),
        (kelurahan, "SELECT kelurahan_id, channel, chat_id FROM moderation_chat ORDER BY id", CHAT_COLUMNS),
    ):
        column_of = {channel: column for column, channel in columns}
        done: set[tuple[int, str]] = set()
        for owner_id, channel, external_id in conn.execute(sa.text(query)).all():
            column, value = column_of.get(channel), _old_value(channel, external_id)
            if column is None or value is None or (owner_id, channel) in done:
                continue
            done.add((owner_id, channel))
            conn.execute(table.update().where(table.c.id == owner_id).values({column: value}))


def downgrade() -> None:
    with op.batch_alter_table("kelurahan") as batch:
        batch.add_column(sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("whatsapp_group", sa.String(length=64), nullable=True))
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("whatsapp_phone", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("web_login", sa.String(length=64), nullable=True))
        batch.create_index("ix_staff_telegram_user_id", ["telegram_user_id"])
        batch.create_index("ix_staff_whatsapp_phone", ["whatsapp_phone"])
    _copy_back(op.get_bind())
    op.drop_index("ix_moderation_chat_kelurahan_id", table_name="moderation_chat")
    op.drop_table("moderation_chat")
    op.drop_index("ix_staff_identity_staff_id", table_name="staff_identity")
    op.drop_table("staff_identity")
