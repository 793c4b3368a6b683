"""The crash-safety harness: the whole service as a subprocess (`esurat run`, tests/support/replicas.py) talking
to the fake Bot API server that runs here, with the simulated residents and staff, in this (separate) process;
the `ServiceProcess` is killed with SIGKILL and started again as often as a run asks.

Used by bench/bench_crash.py (the figures) and tests/reliability/test_crash.py (a shorter run in
`make test`). The people are in bench/crash_people.py, the checks in bench/crash_checks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.telegram_load_support import LoadFake, Observer
from bot.telegram.runtime import SECRET_HEADER
from db.models import LetterRequest, OutboxMessage, Resident
from tests.support.replicas import WEBHOOK_SECRET, ServiceProcess


class CrashFake(LoadFake):
    """LoadFake with waits that give up quietly (the harness counts what never came), and webhook delivery."""

    def confirm_one(self, update_id: int) -> None:
        """The webhook answered 200 for this update: Telegram forgets it."""
        self._updates = [e for e in self._updates if e.update_id != update_id]
        self.confirmed_update_ids.add(update_id)
        self._changed()

    async def sends_reach(self, chat_id: int, n: int, timeout: float) -> bool:  # noqa: ASYNC109
        with contextlib.suppress(AssertionError, TimeoutError):
            await asyncio.wait_for(self.sent_at_least(chat_id, n), timeout)
            return True
        return self.sends(chat_id) >= n

    def group_cards(self, group: int) -> list[dict[str, Any]]:
        """The bot's request cards in the group as they are now (edits applied)."""
        return [m for m in self.bot_messages(group) if (m.get("text") or "").startswith("Permohonan ")]


class CrashObserver(Observer):
    """The harness's own reads of the service's database."""

    async def chat_pending(self, chat_id: int) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id),
                OutboxMessage.status == "pending")) or 0)

    async def request_of(self, chat_id: int) -> tuple[int, str] | None:
        """(id, status) of the resident's latest request."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(LetterRequest.id, LetterRequest.status).join(Resident, Resident.id == LetterRequest.resident_id)
                .where(Resident.channel == "telegram", Resident.external_id == str(chat_id))
                .order_by(LetterRequest.id.desc()).limit(1))).first()
        return (int(row[0]), str(row[1])) if row else None


class Triggers:
    """Moments the killer can aim at, fired by the people and by the fake's call observer."""

    KINDS = ("random", "mid-conversation", "mid-send", "mid-approval", "mid-issue")

    def __init__(self) -> None:
        self._events = {k: asyncio.Event() for k in self.KINDS}

    def fire(self, kind: str) -> None:
        self._events[kind].set()

    async def wait(self, kind: str, timeout: float) -> bool:  # noqa: ASYNC109
        event = self._events[kind]
        event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
            return True
        return False

    def observe(self, method: str, params: dict[str, Any]) -> None:
        """FakeTelegram call observer: a send to a resident is "mid-send"; the answer to an approval press
        ("Disetujui; surat sedang diterbitkan") comes as the letter is being made: "mid-issue"."""
        chat = params.get("chat_id")
        if method in ("sendMessage", "sendDocument") and isinstance(chat, int) and chat > 0:
            self.fire("mid-send")
        if method == "answerCallbackQuery" and "Disetujui" in str(params.get("text") or ""):
            self.fire("mid-issue")


@dataclass
class KillLog:
    kinds: Counter[str] = field(default_factory=Counter)
    missed: int = 0  # aimed at a moment that did not come in time: killed at a random moment instead
    restart_s: list[float] = field(default_factory=list)


class Killer:
    """SIGKILLs the service `kills` times at random moments (aimed at one of Triggers.KINDS), restarting it
    after each; `spacing` seconds of normal running between a restart and the next kill."""

    def __init__(self, service: ServiceProcess, triggers: Triggers, rng: random.Random, kills: int,
                 spacing: tuple[float, float] = (0.5, 2.0)) -> None:
        self.service, self.triggers, self.rng = service, triggers, rng
        self.kills, self.spacing = kills, spacing
        self.aim_timeout = 2.5  # seconds to wait for the moment aimed at before killing at a random one
        self.log = KillLog()
        self.done = asyncio.Event()

    async def run(self, until: float | None = None) -> None:
        """Kill `kills` times, or until time.monotonic() passes `until`."""
        try:
            for _ in range(self.kills):
                if until is not None and time.monotonic() > until:
                    break
                await asyncio.sleep(self.rng.uniform(*self.spacing))
                kind = self.rng.choice(Triggers.KINDS)
                aim = self.aim_timeout * (3 if kind in ("mid-approval", "mid-issue") else 1)  # rarer moments
                if kind != "random" and not await self.triggers.wait(kind, timeout=aim):
                    self.log.missed += 1
                    kind = "random"
                # somewhere in handling the answer / the press; while the PDF is made and stored
                delay = {"mid-conversation": (0.0, 0.3), "mid-approval": (0.0, 0.3), "mid-issue": (0.0, 0.4)}
                if kind in delay:
                    await asyncio.sleep(self.rng.uniform(*delay[kind]))
                self.log.kinds[kind] += 1
                await self.service.kill()
                await asyncio.sleep(self.rng.uniform(0.0, 0.5))
                self.log.restart_s.append(await self.service.start())
        finally:
            self.done.set()


class WebhookPusher:
    """Telegram's side of webhook mode: posts each queued update to the service's webhook (with the secret
    token) until it answers 200, then forgets it; a refused connection, a cut request or another status is
    retried after `retry_s`, as Telegram retries. Up to `concurrency` updates at once, one per chat."""

    def __init__(self, tg: CrashFake, url: str, *, concurrency: int = 8, retry_s: float = 0.5) -> None:
        self.tg, self.url, self.concurrency, self.retry_s = tg, url, concurrency, retry_s
        self.failures: Counter[str] = Counter()
        self._inflight: set[int] = set()
        self._chats: set[Any] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def _push(self, http: aiohttp.ClientSession, update: dict[str, Any], chat: Any) -> None:
        uid = int(update["update_id"])
        try:
            async with http.post(self.url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET},
                                 timeout=aiohttp.ClientTimeout(total=30)) as resp:
                if resp.status == 200:
                    self.tg.confirm_one(uid)
                    return
                self.failures[str(resp.status)] += 1
        except (aiohttp.ClientError, TimeoutError) as e:
            self.failures[type(e).__name__] += 1
        finally:
            self._inflight.discard(uid)
            self._chats.discard(chat)
        await asyncio.sleep(self.retry_s)

    async def run(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession() as http:
            while not stop.is_set():
                for update in self.tg.pending_updates:
                    chat = _chat_of(update)
                    uid = int(update["update_id"])
                    if uid in self._inflight or chat in self._chats or len(self._inflight) >= self.concurrency:
                        continue
                    self._inflight.add(uid)
                    self._chats.add(chat)
                    task = asyncio.create_task(self._push(http, update, chat))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                await asyncio.sleep(0.02)
            for task in list(self._tasks):
                task.cancel()


def _chat_of(update: dict[str, Any]) -> Any:
    body = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    return (body.get("chat") or {}).get("id", update["update_id"])
