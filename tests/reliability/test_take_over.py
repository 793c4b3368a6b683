"""A process restarted after a kill takes over its predecessor's claims at once (db/claims.py `take_over`)
instead of waiting out their lease: rows leased to an instance of this host whose process is gone are
freed; rows of a live process, of another host, or of an id it cannot read keep their lease. On both
databases; the whole restart is in tests/reliability/test_crash.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import inbox
from db.claims import dead_here, host_tag, new_instance_id, take_over
from db.inbox import Received
from db.models import InboundUpdate

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def _owner(pid: int, tag: str | None = None) -> str:
    return f"{socket.gethostname()[:12]}:{tag or host_tag()}:{pid}:abcdef12"


def _dead_pid() -> int:
    """The pid of a process that ran here and has exited (and was reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(proc.stdout)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process that runs while the test does."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def dead_pids() -> list[int]:
    return [_dead_pid() for _ in range(3)]


def test_which_instances_are_dead() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert dead_here(_owner(_dead_pid()))
        assert not dead_here(_owner(sleeper.pid))  # running
        assert not dead_here(_owner(os.getpid()))  # this process (another service in it, say)
        assert not dead_here(_owner(_dead_pid(), tag="000000"))  # another host or namespace: cannot tell
        assert not dead_here("sistem") and not dead_here("a:b:c:d") and not dead_here("")
        sleeper.kill()
        sleeper.wait()
        assert dead_here(_owner(sleeper.pid))  # killed and reaped
    finally:
        sleeper.kill()
        sleeper.wait()
    mine = new_instance_id()
    assert len(mine) <= 40 and not dead_here(mine)


async def test_a_killed_process_rows_are_freed_and_others_keep_their_lease(
        sessions: async_sessionmaker[AsyncSession], sleeper: subprocess.Popen[bytes], dead_pids: list[int]) -> None:
    owners = {1: _owner(dead_pids[0]), 2: _owner(sleeper.pid), 3: _owner(dead_pids[1], tag="000000"), 4: "x"}
    async with sessions.begin() as s:
        await inbox.store(s, "telegram", [Received(str(i), str(i), {"update_id": i}) for i in range(1, 6)], T0)
        for i, owner in owners.items():
            row = await s.scalar(select(InboundUpdate).where(InboundUpdate.update_id == str(i)))
            assert row is not None
            row.locked_by, row.locked_until = owner, T0 + timedelta(seconds=10)
        row5 = await s.scalar(select(InboundUpdate).where(InboundUpdate.update_id == "5"))
        assert row5 is not None  # a lease that already ended: left as it is (anyone may claim it)
        row5.locked_by, row5.locked_until = _owner(dead_pids[2]), T0 - timedelta(seconds=1)
    async with sessions.begin() as s:
        assert await take_over(s, InboundUpdate, T0) == 1
    async with sessions() as s:
        locked = {uid: by for uid, by in await s.execute(select(InboundUpdate.update_id, InboundUpdate.locked_by))}
    assert locked["1"] is None
    assert [locked[str(i)] for i in (2, 3, 4)] == [owners[2], owners[3], owners[4]]
    claimed = await inbox.claim(sessions, "telegram", new_instance_id(), T0, limit=10)
    assert sorted(r.update_id for r in claimed) == ["1", "5"]  # at once, not after the lease
