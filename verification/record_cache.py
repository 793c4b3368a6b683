"""The public records of letters, kept in memory by each process for the public page (issue #16).

A page whose letter is read from the database costs the service ~100 us more CPU than one from memory (the
hand-off to the connection and back wakes the event loop; `bench/bench_verify.py`), at 32 connections about
half a page's cost. `RecordCache` keeps up to `size` records found by public id, each at most `max_age`
seconds, and drops a letter as soon as it is known to be revoked or replaced:

- in this process at once (`forget`, told by `lifecycle.issuing.Issuing` once its change is committed);
- in every other process (the other replicas, after the CLI) by the change feed: each process asks the database
  every `poll` seconds which letters were revoked or replaced since its previous question
  (`DbRecordSource.changed_since`: two index range scans, migration 0015), reaching `OVERLAP` further back (a
  commit landing after its timestamp, two hosts' clocks a little apart). So a revocation shows on every replica
  within `poll` seconds (1 s by default) and one question's time.

Kept records are used only while the feed is current: not before its first answer, nor once it has not
answered for `GRACE` polls (the database unreachable): each page then reads the database, as without a cache.
Letters not found are never kept (a letter issued a moment ago is found at once); lookups by number pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from verification.db_source import DbRecordSource
from verification.records import KelurahanContact, LetterRecord

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=2)
GRACE = 3  # polls without an answer before the kept records are no longer trusted


class RecordCache:
    def __init__(self, source: DbRecordSource, *, max_age: float, poll: float, size: int = 20_000,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.source = source
        self.max_age = timedelta(seconds=max_age)  # zero: nothing is kept
        self.poll_seconds = poll
        self.size = size
        self._clock = clock
        self._kept: dict[str, tuple[LetterRecord, datetime]] = {}  # public id -> (record, read at); oldest first
        self._asked: datetime | None = None  # when the feed's last answered question was asked
        self._dropped = 0  # letters dropped so far: a record read while one was is not kept

    def current(self, now: datetime) -> bool:
        """Whether kept records may be used: the feed answered within `GRACE` polls."""
        if self._asked is None or not self.max_age:
            return False
        return self._asked <= now < self._asked + GRACE * timedelta(seconds=self.poll_seconds)

    async def get_by_public_id(self, public_id: str) -> LetterRecord | None:
        now = self._clock()
        if self.current(now) and (kept := self._kept.get(public_id)) is not None:
            read_at = kept[1]
            if read_at <= now < read_at + self.max_age:
                return kept[0]
        dropped = self._dropped
        found = await self.source.get_by_public_id(public_id)
        self._kept.pop(public_id, None)
        if found is not None and dropped == self._dropped and self.current(now):
            self._kept[public_id] = (found, now)
            if len(self._kept) > self.size:
                del self._kept[next(iter(self._kept))]  # the one kept longest
        return found

    async def get_by_number(self, number: str) -> LetterRecord | None:
        return await self.source.get_by_number(number)

    async def contact_for_number(self, number: str) -> KelurahanContact | None:
        return await self.source.contact_for_number(number)

    def forget(self, public_id: str) -> None:
        """The letter changed (revoked, replaced): its next page reads the database."""
        self._dropped += 1
        self._kept.pop(public_id, None)

    async def poll(self) -> None:
        """Ask the change feed once; forget the letters revoked or replaced since the last answer."""
        asked = self._clock()
        for public_id in await self.source.changed_since((self._asked or asked) - OVERLAP):
            self.forget(public_id)
        self._asked = asked

    async def watch(self) -> None:
        """The change feed, for the life of the service (one of its background jobs)."""
        while self.max_age:
            try:
                await self.poll()
            except Exception as e:  # noqa: BLE001 - the database may be restarting: pages read it meanwhile
                log.warning("could not ask which letters were revoked or replaced: %r", e)
            await asyncio.sleep(self.poll_seconds)

    def __len__(self) -> int:
        return len(self._kept)

    async def aclose(self) -> None:
        await self.source.aclose()
