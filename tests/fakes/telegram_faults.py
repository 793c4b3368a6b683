"""Platform faults for FakeTelegram: for a random share of calls (seeded, per method) the fake answers
429 with retry_after, 500, responds too late, or drops the connection before or after doing the call.

    tg.set_faults(FaultPlan({"*": FaultRates.uniform(0.2), "getupdates": FaultRates()}, seed=7, slow_seconds=4))

What each fault means for the bot, and what the fake records:

    429 / 500      the call is not performed; an error answer in Telegram's JSON shape (a Call with that status)
    slow           the call IS performed (a Call with status 200), the answer comes `slow_seconds` later:
                   past the client's timeout, so the bot never sees it ("accepted, answered too late")
    drop_before    the connection is closed before the call is performed: no effect, no Call
    drop_after     the call IS performed (a Call with status 200), then the connection is closed unanswered

Every fault is in `fault_log`; `received(chat_id)` lists the sends that really reached a chat, whatever the
bot saw, so a test counts duplicates and losses from the effects, not from the answers.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from aiohttp import web

from tests.fakes.telegram_model import COUNTED_SENDS, ApiError, Call
from tests.fakes.telegram_state import FakeTelegramState


class FaultKind(StrEnum):
    TOO_MANY = "429"
    SERVER_ERROR = "500"
    SLOW = "slow"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"

    @property
    def performed(self) -> bool:
        """Did the call take effect? (True: only the answer was lost.)"""
        return self in (FaultKind.SLOW, FaultKind.DROP_AFTER)


@dataclass(frozen=True)
class FaultRates:
    """Probability of each fault for one call (their sum at most 1)."""

    too_many: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0

    @classmethod
    def uniform(cls, share: float) -> FaultRates:
        """`share` of calls fail, spread evenly over the five kinds."""
        return cls(*(share / 5,) * 5)

    def pick(self, draw: float) -> FaultKind | None:
        kinds = (FaultKind.TOO_MANY, FaultKind.SERVER_ERROR, FaultKind.SLOW, FaultKind.DROP_BEFORE,
                 FaultKind.DROP_AFTER)
        edge = 0.0
        for kind, f in zip(kinds, fields(self), strict=True):
            edge += getattr(self, f.name)
            if draw < edge:
                return kind
        return None


class FaultPlan:
    """Which calls fail, and how: `rates` per lower-case method name, "*" for the others; seeded."""

    def __init__(self, rates: FaultRates | Mapping[str, FaultRates], *, seed: int = 0, retry_after: int = 1,
                 slow_seconds: float = 5.0, limit: int | None = None) -> None:
        self.rates = {"*": rates} if isinstance(rates, FaultRates) else {k.lower(): v for k, v in rates.items()}
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.limit = limit  # at most this many faults in all (None: no limit)
        self._rng = random.Random(seed)
        self.injected = 0

    def decide(self, method: str) -> FaultKind | None:
        rates = self.rates.get(method.lower(), self.rates.get("*"))
        if rates is None or (self.limit is not None and self.injected >= self.limit):
            return None
        kind = rates.pick(self._rng.random())
        if kind is not None:
            self.injected += 1
        return kind

    def error(self, kind: FaultKind) -> ApiError:
        if kind is FaultKind.TOO_MANY:
            return ApiError(429, f"Too Many Requests: retry after {self.retry_after}",
                            {"retry_after": self.retry_after})
        return ApiError(500, "Internal Server Error")


@dataclass
class FaultRecord:
    method: str
    kind: FaultKind
    chat_id: Any
    at: float
    call: Call | None = None  # the performed call (slow / drop_after), or the error answer (429 / 500)


# Called when a request reaches the fake, before anything is done; may wait (e.g. until the bot is killed).
CallObserver = Callable[[str, dict[str, Any]], Awaitable[None] | None]


class FaultsMixin(FakeTelegramState):
    """Fault injection and effect accounting for FakeTelegram (its own state set up by `_init_faults`)."""

    def _init_faults(self) -> None:
        self.fault_plan: FaultPlan | None = None
        self.fault_log: list[FaultRecord] = []
        self.call_observers: list[CallObserver] = []
        self._next_faults: list[tuple[str, FaultKind, int | None]] = []
        self.slow_seconds = 5.0  # how late a "slow" answer of fault_next comes (a FaultPlan has its own)

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Start (or with None stop) injecting random faults."""
        self.fault_plan = plan

    def fault_next(self, method: str, kind: FaultKind, chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` calls of `method` (optionally only to chat_id) meet fault `kind`."""
        self._next_faults += [(method.lower(), kind, chat_id)] * times

    # -- hooks used by FakeTelegram._handle_method -----------------------------------------------------------------

    async def _observe(self, method: str, params: dict[str, Any]) -> None:
        for observer in list(self.call_observers):
            waited = observer(method, params)
            if waited is not None:
                await waited

    def _plan_fault(self, method: str, params: dict[str, Any], at: float) -> FaultRecord | None:
        chat_id = params.get("chat_id")
        queued = next((f for f in self._next_faults if f[0] == method.lower() and f[2] in (None, chat_id)), None)
        if queued is not None:
            self._next_faults.remove(queued)
            kind: FaultKind | None = queued[1]
        else:
            kind = self.fault_plan.decide(method) if self.fault_plan is not None else None
        if kind is None:
            return None
        record = FaultRecord(method, kind, params.get("chat_id"), at)
        self.fault_log.append(record)
        return record

    def _planned_error(self, record: FaultRecord | None) -> ApiError | None:
        if record is None or record.kind not in (FaultKind.TOO_MANY, FaultKind.SERVER_ERROR):
            return None
        return (self.fault_plan or FaultPlan(FaultRates())).error(record.kind)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection unanswered (aiohttp then writes nothing)."""
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)

    async def _answer_or_lose(self, request: web.Request, record: FaultRecord | None, call: Call,
                              response: web.Response) -> web.Response:
        """After the call was recorded: answer, or lose the answer as the fault says."""
        if record is None:
            return response
        record.call = call
        if record.kind is FaultKind.DROP_AFTER:
            return self._drop(request)
        if record.kind is FaultKind.SLOW:  # the client gives up meanwhile (aiohttp then cancels this handler)
            await asyncio.sleep(self.fault_plan.slow_seconds if self.fault_plan else self.slow_seconds)
        return response

    # -- what the chats really received ---------------------------------------------------------------------------

    def received(self, chat_id: int) -> list[Call]:
        """Sends (sendMessage, sendDocument, sendPhoto, sendMediaGroup) that took effect in chat_id, in order,
        including those whose answer the bot never saw."""
        return [c for c in self.calls if c.ok and c.method in COUNTED_SENDS and c.params.get("chat_id") == chat_id]

    def fault_counts(self) -> dict[str, int]:
        return dict(Counter(r.kind.value for r in self.fault_log))

    def lost_answers(self, chat_id: int | None = None) -> list[FaultRecord]:
        """Faults after which the call had taken effect but the bot never got the answer."""
        return [r for r in self.fault_log if r.kind.performed and r.call is not None
                and (chat_id is None or r.chat_id == chat_id)]
