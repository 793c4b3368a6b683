"""The Alembic migrations build exactly the schema of `db.models` (on both backends), and keep the data."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from db.identities import moderation_chats, staff_by_identity
from db.migrate import alembic_config, upgrade
from db.models import Base
from tests.dbfixtures import DatabaseFactory, _pg_dsn, _pg_exec, pg_base_url


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert diffs == []


@asynccontextmanager
async def _empty_database(factory: DatabaseFactory) -> AsyncIterator[str]:
    """A database with no tables yet, of the factory's backend."""
    if factory.backend == "sqlite":
        yield f"sqlite+aiosqlite:///{factory.tmp / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    base = pg_base_url()
    assert base
    name = f"esurat_m_{factory.token}_{uuid.uuid4().hex[:6]}"
    await _pg_exec(base, f"CREATE DATABASE {name}")
    try:
        yield f"{_pg_dsn(base)[1]}/{name}"
    finally:
        await _pg_exec(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _sql(url: str, *statements: str) -> list[tuple[Any, ...]]:
    """Run the statements in one transaction; the rows of the last one."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for sql in statements:
                result = await conn.execute(text(sql))
            return [tuple(row) for row in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


STAFF_AT_0004 = (
    "INSERT INTO staff (id, kelurahan_id, name, role, telegram_user_id, whatsapp_phone, web_login, demo, active)"
    " SELECT {id}, id, '{name}', 'operator', {tg}, {wa}, {web}, {demo}, {active} FROM kelurahan WHERE slug = '{slug}'"
)


async def test_upgrading_to_0005_keeps_who_is_who_on_every_channel(db_factory: DatabaseFactory) -> None:
    async with _empty_database(db_factory) as url:
        await asyncio.to_thread(upgrade, url, "0004")
        await _sql(
            url,
            "UPDATE kelurahan SET telegram_chat_id = -100200 WHERE slug = 'bukit-tunggal'",
            "UPDATE kelurahan SET whatsapp_group = '120363-group' WHERE slug = 'menteng'",
            STAFF_AT_0004.format(id=1, name="Rina", tg=7001, wa="'6281200000001'", web="NULL", demo="false",
                                 active="true", slug="bukit-tunggal"),
            STAFF_AT_0004.format(id=2, name="Demo BT", tg="NULL", wa="NULL", web="'demo'", demo="true",
                                 active="true", slug="bukit-tunggal"),
            STAFF_AT_0004.format(id=3, name="Demo M", tg="NULL", wa="NULL", web="'demo'", demo="true",
                                 active="false", slug="menteng"),
        )
        await asyncio.to_thread(upgrade, url, "0005")
        identities = await _sql(url, "SELECT staff_id, channel, external_id FROM staff_identity"
                                     " ORDER BY staff_id, channel")
        assert identities == [(1, "telegram", "7001"), (1, "whatsapp", "6281200000001"), (2, "web", "demo")]
        chats = await _sql(url, "SELECT k.slug, m.channel, m.chat_id FROM moderation_chat m"
                                " JOIN kelurahan k ON k.id = m.kelurahan_id ORDER BY k.slug")
        assert chats == [("bukit-tunggal", "telegram", "-100200"), ("menteng", "whatsapp", "120363-group")]
        [(bt,)] = await _sql(url, "SELECT id FROM kelurahan WHERE slug = 'bukit-tunggal'")
        await asyncio.to_thread(upgrade, url)  # the models' queries want the newest schema (e.g. staff.rank)
        engine = create_async_engine(url)
        async with AsyncSession(engine) as s:
            rina = await staff_by_identity(s, bt, "telegram", "7001")
            assert rina is not None and rina.name == "Rina"
            assert await moderation_chats(s, bt, "telegram") == ["-100200"]
        await engine.dispose()

        await asyncio.to_thread(command.downgrade, alembic_config(url), "0004")
        staff = await _sql(url, "SELECT id, telegram_user_id, whatsapp_phone, web_login FROM staff ORDER BY id")
        assert staff == [(1, 7001, "6281200000001", None), (2, None, None, "demo"), (3, None, None, None)]
        groups = await _sql(url, "SELECT slug, telegram_chat_id, whatsapp_group FROM kelurahan"
                                 " WHERE telegram_chat_id IS NOT NULL OR whatsapp_group IS NOT NULL ORDER BY slug")
        assert groups == [("bukit-tunggal", -100200, None), ("menteng", None, "120363-group")]
