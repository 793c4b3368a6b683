"""Claims on work rows (outbox messages, follow-ups) owned by a process instance.

A worker claims due rows by writing `locked_by` (its process instance id) and a short
`locked_until` lease, and a heartbeat of the same worker renews the lease of the rows it still
holds every few seconds. A process that dies stops renewing: its rows become claimable by any
other process once the lease ends (10 s by default), not after a long fixed timeout. Rows of a
live process are renewed before their lease ends and are never taken from it.

The renewal is per row (`WHERE id IN held AND locked_by = owner`) rather than a table of live
instances: it needs no extra schema, and a row the process lost track of is not kept alive.

A process restarted on the same host need not wait out the lease of the one it replaces: the
instance id names the host (its boot and process namespace) and the process id, and at start-up
`take_over` frees the rows held by instances of this host whose process is gone (or a zombie).
Anything it cannot prove dead (another host, a pid now used by some other process) keeps its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Row,
    Table,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("esurat.claims")
T = TypeVar("T")


def host_tag() -> str:
    """6 hex digits naming this boot of this host's kernel and this process namespace: two processes with
    the same tag see each other's process ids (containers with their own namespace get another tag)."""
    parts = [socket.gethostname()]
    with contextlib.suppress(OSError):
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    with contextlib.suppress(OSError):
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:6]


def new_instance_id() -> str:
    """A process instance id (at most 40 characters: the `locked_by` column): host, host tag, pid, random."""
    return f"{socket.gethostname()[:12]}:{host_tag()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:40]


def _gone(pid: int) -> bool:
    """The process `pid` of this namespace no longer runs (or is a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def dead_here(owner: str) -> bool:
    """True when `owner` is an instance of this host and namespace whose process is gone. False for anything
    else: another host's instance, this process, an id of another form, a pid that is running."""
    parts = owner.split(":")
    if len(parts) != 4 or parts[1] != host_tag() or not parts[2].isdigit():
        return False
    pid = int(parts[2])
    return pid != os.getpid() and _gone(pid)


async def take_over(session: AsyncSession, model: Any, now: datetime, **also: Any) -> int:
    """Free the rows of `model` leased to instances of this host whose process is gone (a kill), so that
    they are claimed at once instead of when their lease ends; `also`: other columns to set on them.
    Returns how many rows were freed."""
    owners = await session.scalars(select(model.locked_by).where(
        model.locked_by.is_not(None), model.locked_until > now).distinct())
    dead = [o for o in owners if dead_here(o)]
    if not dead:
        return 0
    result = await session.execute(
        update(model).where(model.locked_by.in_(dead)).values(locked_until=None, locked_by=None, **also)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Claims:
    """Who claims (`owner`), for how long (`lease`), and how often the lease is renewed."""

    owner: str = field(default_factory=new_instance_id)
    lease: timedelta = timedelta(seconds=10)
    heartbeat: float = 3.0  # seconds; well below the lease

    def __post_init__(self) -> None:
        if not 0 < self.heartbeat < self.lease.total_seconds():
            raise ValueError("the heartbeat must be shorter than the lease")


def pending(table: FromClause) -> ColumnElement[bool]:
    """`status = 'pending'` with the status written into the SQL, not bound: the partial indexes of pending
    rows (`db.models.pending_index`) then serve the claim in every plan."""
    criterion: ColumnElement[bool] = table.c.status == literal_column("'pending'")
    return criterion


def oldest_pending_of_chat(table: Table, chat: str, channel: Any) -> ColumnElement[bool]:
    """Rows of `table` that are the oldest pending row of their chat (column `chat`) in `channel`: one
    grouped scan of the pending rows (their partial index), whatever the planner knows of the table; an
    anti-join (NOT EXISTS an earlier pending row) became a nested loop over the channel on a table
    without statistics. A row without a chat is its own chat."""
    earlier = table.alias()
    oldest = (select(func.min(earlier.c.id)).where(earlier.c.channel == channel, pending(earlier))
              .group_by(earlier.c[chat]))
    criterion: ColumnElement[bool] = table.c.id.in_(oldest) | table.c[chat].is_(None)
    return criterion


def claim_statement(table: Table, chat: str, *also: ColumnElement[bool]) -> Any:
    """UPDATE ... RETURNING of the due rows of one channel of a work table (the inbox, the outbox): pending,
    due at `now`, not leased, the oldest pending of their chat (column `chat`), and `also`; at most `limit`,
    in id order, leased to `owner` until `until`; rows another transaction holds are skipped. A Core
    statement built once (building it cost more than running it), its values bound at each call
    (`of_channel`, `now`, `limit`, `owner`, `until`); its rows become objects with `loaded`."""
    now: BindParameter[datetime] = bindparam("now")
    channel: BindParameter[str] = bindparam("of_channel")
    due = (
        select(table.c.id)
        .where(table.c.channel == channel, pending(table), table.c.next_attempt_at <= now, claimable(table.c, now),
               oldest_pending_of_chat(table, chat, channel), *also)
        .order_by(table.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (update(table).where(table.c.id.in_(due.scalar_subquery()))
            .values(locked_by=bindparam("owner"), locked_until=bindparam("until")).returning(*table.c))


def loaded(model: type[T], rows: Iterable[Row[Any]]) -> list[T]:
    """Objects of `model` made from the rows a Core claim returned, in id order (detached: read, not
    written back). A Core UPDATE ... RETURNING, not the ORM's, because the ORM built, keyed and loaded
    its statement anew at every claim."""
    objects = [model(**row._mapping) for row in rows]
    return sorted(objects, key=lambda o: o.id)  # type: ignore[attr-defined]


def claimable(model: Any, now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Rows of `model` not leased, or whose lease has ended."""
    return or_(model.locked_until.is_(None), model.locked_until <= now)


def in_id_order(model: Any, *criteria: ColumnElement[bool]) -> Any:
    """The ids of `model`'s rows matching `criteria`, locked in ascending id order (PostgreSQL; SQLite has one
    writer). A worker's round settles its rows in that order too (`db.outbox.settle_in`, `db.inbox.claim`), so
    the round and its heartbeat's renewal never wait for each other's rows in opposite orders (a deadlock)."""
    return select(model.id).where(*criteria).order_by(model.id).with_for_update().scalar_subquery()


async def renew(session: AsyncSession, model: Any, ids: Collection[int], owner: str, until: datetime) -> int:
    """Extend the lease of the rows in `ids` that `owner` still holds; returns how many."""
    if not ids:
        return 0
    result = await session.execute(
        update(model).where(model.id.in_(in_id_order(model, model.id.in_(list(ids)), model.locked_by == owner)))
        .values(locked_until=until).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release(session: AsyncSession, model: Any, ids: Collection[int], owner: str,
                  **also: Any) -> int:
    """Give back the rows in `ids` that `owner` holds (a clean stop): others may claim them at once.
    `also`: other columns to set on them (e.g. that their send may have happened)."""
    if not ids:
        return 0
    result = await session.execute(
        update(model).where(model.id.in_(list(ids)), model.locked_by == owner)
        .values(locked_until=None, locked_by=None, **also)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def keep_alive(sessions: async_sessionmaker[AsyncSession], model: Any, held: Callable[[], Collection[int]],
                     claims: Claims, clock: Callable[[], datetime]) -> None:
    """The heartbeat of one worker: every `claims.heartbeat` seconds renew the rows it holds. Runs until
    cancelled; a failed renewal (database unreachable) is logged once and retried at the next beat."""
    failing = False
    while True:
        await asyncio.sleep(claims.heartbeat)
        ids = list(held())
        if not ids:
            continue
        try:
            async with sessions.begin() as session:
                await renew(session, model, ids, claims.owner, clock() + claims.lease)
        except Exception as e:  # noqa: BLE001 - the leases run out; others take over the rows
            if not failing:
                log.warning("lease renewal of %s failed: %r", model.__tablename__, e)
            failing = True
            continue
        if failing:
            log.info("lease renewal of %s works again", model.__tablename__)
        failing = False


async def cancel_all(tasks: Collection[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*tasks, return_exceptions=True)
