"""The send-error metric's codes: what the platform answered (a code carried by `RetryLater` or
`PermanentFailure`, a Graph error's code, an HTTP status), "timeout" and "network" when no answer came, the
exception's class otherwise; and the OutboxSender reports every failed attempt, once, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender, PermanentFailure, RateLimiter, RatePolicy, RetryLater
from bot.metrics import Metrics
from bot.send_errors import error_code
from db.models import OutboxMessage
from db.outbound import TextOut
from db.outbox import enqueue
from tests.support.lifecycle import FixedClock


class _Answered(Exception):
    def __init__(self, status: int, code: int | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.code = status, code


def _raised_from(cause: BaseException, outer: Exception) -> Exception:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except Exception as e:  # noqa: BLE001 - the chained exception, as a client library raises it
        return e


def test_the_code_is_what_the_platform_answered_or_why_no_answer_came() -> None:
    assert error_code(RetryLater(3, "slow down", code="429")) == "429"
    assert error_code(RetryLater(3, "later")) == "retry_later"
    assert error_code(PermanentFailure("blocked", code="403")) == "403"
    assert error_code(PermanentFailure("no such file")) == "undeliverable"
    assert error_code(_Answered(400, 131026)) == "131026"  # the platform's own error code first
    assert error_code(_Answered(502, None)) == "502"  # else its HTTP status
    assert error_code(_raised_from(ConnectionRefusedError(111, "refused"), RuntimeError("client error"))) == "network"
    assert error_code(_raised_from(TimeoutError(), RuntimeError("read timed out"))) == "timeout"
    assert error_code(ConnectionResetError()) == "network"
    assert error_code(httpx.RemoteProtocolError("Server disconnected without sending a response.")) == "network"
    assert error_code(httpx.ReadTimeout("timed out")) == "timeout"
    assert error_code(_raised_from(aiohttp.ServerDisconnectedError(), RuntimeError("HTTP Client says"))) == "network"
    assert error_code(FileNotFoundError(2, "letter.pdf")) == "FileNotFoundError"  # an OSError, not the network
    assert error_code(ValueError("a bug")) == "ValueError"


async def test_every_failed_attempt_is_counted_by_channel_and_code(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = FixedClock()
    failures: dict[str, Exception | None] = {
        "a": RetryLater(0, "429", code="429", count_attempt=False), "b": PermanentFailure("blocked", code="403"),
        "c": ConnectionRefusedError(111, "refused"), "d": None, "e": KeyError("bug"),
    }

    async def deliver(row: OutboxMessage) -> dict[str, Any] | None:
        failure = failures[row.chat_id]
        if row.chat_id == "d":
            await asyncio.sleep(5)  # past the send timeout
        if failure is not None:
            raise failure
        return None

    async with sessions.begin() as s:
        for chat in failures:
            await enqueue(s, "test", chat, TextOut(text=chat), clock())
    metrics = Metrics()
    sender = OutboxSender(sessions, "test", deliver, clock=clock, limiter=RateLimiter(RatePolicy(0, 0, 10_000)),
                          send_timeout=0.2, on_error=metrics.send_failed)
    assert await sender.run_once() == 0

    def count(code: str) -> float | None:
        return metrics.registry.get_sample_value("esurat_send_errors_total", {"channel": "test", "code": code})

    assert [count(c) for c in ("429", "403", "network", "timeout", "KeyError")] == [1.0] * 5
    assert count("undeliverable") is None
