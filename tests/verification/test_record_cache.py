"""The records kept in memory for the public page (`verification.record_cache`), on both backends, on an injected
clock: a letter revoked by another process (the CLI) shows DICABUT on the page after the next poll of the
change feed (within `poll` seconds), one revoked or replaced by this process at once; without the feed's answer
nothing kept is used; records are kept at most `max_age` and at most `size`; unknown letters are not kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app as cli
from db.directory import add_staff
from db.models import Letter, Staff
from lifecycle.actors import Actor
from tests.support.issuing import IssuingStack, issuing_stack
from tests.support.lifecycle import FixedClock
from tests.verification.test_direct_reads import issue
from verification.record_cache import GRACE, RecordCache
from verification.router import create_verification_router

POLL = 1.0
JSON = {"Accept": "application/json"}


class World(NamedTuple):
    stack: IssuingStack
    cache: RecordCache
    clock: FixedClock
    page: httpx.AsyncClient  # the public page over the cache
    staff: Staff


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[World]:
    clock = FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    stack = issuing_stack(sessions, tmp_path, clock)
    cache = RecordCache(stack.source, max_age=60, poll=POLL, size=2, clock=clock)
    app = FastAPI()
    app.include_router(create_verification_router(cache, stack.kit.keystore, stack.kit.validator, stack.kit.settings,
                                                  clock=clock))
    page = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    staff = await add_staff(sessions, "bukit-tunggal", name="Rina", role="lurah")
    yield World(stack, cache, clock, page, staff)
    await page.aclose()
    await stack.aclose()


async def status(world: World, letter: Letter) -> str:
    data = (await world.page.get(f"/v/{letter.public_id}", headers=JSON)).json()
    return str(data["status"])


async def tick(world: World, seconds: float = POLL) -> None:
    """`seconds` later, and the change feed's question of that moment."""
    world.clock.now += timedelta(seconds=seconds)
    await world.cache.poll()


async def test_a_letter_revoked_by_the_cli_shows_dicabut_after_the_next_poll(
        world: World, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    letter = await issue(world.stack, world.staff, "1")
    assert await status(world, letter) == "ASLI" and len(world.cache) == 0  # no feed yet: nothing kept
    await tick(world)
    assert await status(world, letter) == "ASLI" and len(world.cache) == 1

    # `esurat letter revoke` is another process: its services, not this cache (the clocks agree: the CLI's is real)
    world.clock.now = datetime.now(UTC)
    await world.cache.poll()
    assert await status(world, letter) == "ASLI"
    monkeypatch.setenv("ESURAT_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ESURAT_DATABASE_URL", db_url)
    done = await asyncio.to_thread(CliRunner().invoke, cli, ["letter", "revoke", letter.number, "--reason",
                                                             "Diterbitkan ganda", "--by", "Budi"])
    assert done.exit_code == 0, done.output
    assert await status(world, letter) == "ASLI"  # kept, until the feed is asked again (at most POLL seconds)
    await tick(world)
    page = await world.page.get(f"/v/{letter.public_id}")
    assert "DICABUT" in page.text and "Diterbitkan ganda" in page.text and "ASLI" not in page.text


async def test_revoked_or_replaced_by_this_process_shows_at_once(world: World) -> None:
    world.stack.issuing.on_letter_changed = world.cache.forget  # as `bot.composition` wires it
    first, second = await issue(world.stack, world.staff, "1"), await issue(world.stack, world.staff, "2")
    await tick(world)
    assert [await status(world, x) for x in (first, second)] == ["ASLI", "ASLI"] and len(world.cache) == 2
    await world.stack.issuing.supersede(first.number, second.number, Actor.operator("rina"))
    assert await status(world, first) == "DIGANTI"
    await world.stack.issuing.revoke(second.number, Actor.operator("rina"), "Salah data")
    assert await status(world, second) == "DICABUT"


async def test_nothing_kept_is_used_while_the_feed_does_not_answer(world: World) -> None:
    letter = await issue(world.stack, world.staff, "1")
    await tick(world)
    assert await status(world, letter) == "ASLI" and len(world.cache) == 1
    await world.stack.issuing.revoke(letter.number, Actor.operator("rina"), "Salah data")  # (not told)
    world.clock.now += GRACE * timedelta(seconds=POLL)  # the database did not answer the feed since
    assert await status(world, letter) == "DICABUT"


async def test_kept_at_most_max_age_and_size_and_unknown_letters_never(world: World) -> None:
    letters = [await issue(world.stack, world.staff, chat) for chat in ("1", "2", "3")]
    await tick(world)
    kept = await world.cache.get_by_public_id(letters[0].public_id)
    assert kept is not None and await world.cache.get_by_public_id(letters[0].public_id) is kept
    for _ in range(59):  # 59 s later, the feed asked every second: still the kept one
        await tick(world)
    assert await world.cache.get_by_public_id(letters[0].public_id) is kept
    await tick(world)  # 60 s: read again
    again = await world.cache.get_by_public_id(letters[0].public_id)
    assert again == kept and again is not kept
    for letter in letters:
        await world.cache.get_by_public_id(letter.public_id)
    assert len(world.cache) == 2  # at most `size`, the longest kept dropped
    assert await world.cache.get_by_public_id("A" * 26) is None and len(world.cache) == 2
