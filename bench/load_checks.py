"""After a load run of bench/bench_telegram_load.py: staff approve a sample of the requests (the PDF is issued
and reaches the resident), and the checks that nothing was lost or duplicated, read from the service's
database (the bench's own connection) and from what the fake Bot API received."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from bench.load_residents import Webhooks
from bench.telegram_load_support import STEP_TIMEOUT, LoadFake, Observer
from db.models import InboundUpdate, LetterRequest, ModerationPost, OutboxMessage, ProcessedUpdate, Resident
from tests.fakes.telegram_model import COUNTED_SENDS
from tests.support.telegram import GROUP, STAFF_ID


def pct(values: list[float], q: float) -> float:
    """q-th percentile (0-100) by linear interpolation."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float | int]:
    return {"n": len(values), "p50": round(pct(values, 50), 1), "p95": round(pct(values, 95), 1),
            "max": round(max(values), 1) if values else float("nan")}


async def approve(tg: LoadFake, observer: Observer, hooks: Webhooks, user_ids: list[int]) -> dict[str, Any]:
    """The staff member presses "Setujui" on each sampled card at once; time until the PDF reaches the resident."""
    async with observer.engine.connect() as conn:
        rows = (await conn.execute(
            select(Resident.external_id, LetterRequest.id, ModerationPost.message_id)
            .join(LetterRequest, LetterRequest.resident_id == Resident.id)
            .join(ModerationPost, ModerationPost.request_id == LetterRequest.id)
            .where(Resident.channel == "telegram", ModerationPost.channel == "telegram",
                   Resident.external_id.in_([str(u) for u in user_ids]))
        )).all()
    latencies: list[float] = []
    update_ids: list[int] = []

    async def one(i: int, user_id: int, request_id: int, message_id: int) -> None:
        update = tg.user_presses(STAFF_ID, GROUP, message_id, f"m:approve:{request_id}", first_name="Petugas")
        t0 = time.monotonic()
        update_ids.append(update["update_id"])
        await hooks.post(update, i)
        while True:  # approved by the press, then issued by the approval's follow-up
            async with observer.engine.connect() as conn:
                status = await conn.scalar(select(LetterRequest.status).where(LetterRequest.id == request_id))
            if status not in ("submitted", "approved"):
                break
            if time.monotonic() - t0 > STEP_TIMEOUT:
                raise TimeoutError(f"request {request_id} still {status} {STEP_TIMEOUT}s after the approval")
            await asyncio.sleep(0.02)
        n = await observer.outbox_rows(user_id)
        await tg.sent_at_least(user_id, n)
        latencies.append((tg.send_time(user_id, n - 1) - t0) * 1000)  # the last row is the PDF

    t0 = time.monotonic()
    await asyncio.gather(*(one(i, int(ext), rid, int(str(mid))) for i, (ext, rid, mid) in enumerate(rows)))
    wall = time.monotonic() - t0
    return {"approved": len(rows), "update_ids": update_ids, "wall_s": round(wall, 2),
            "approvals_per_s": round(len(rows) / wall, 2) if wall else None,
            "press_to_pdf_ms": summary(latencies)}


async def checks(tg: LoadFake, observer: Observer, user_ids: list[int], approved: set[int], update_ids: list[int],
                 errors: list[str], *, requests: bool = True) -> dict[str, dict[str, Any]]:
    """`requests`: every resident completed a request (else only the update and delivery checks)."""
    out: dict[str, dict[str, Any]] = {}
    async with observer.engine.connect() as conn:
        reqs = (await conn.execute(
            select(Resident.external_id, LetterRequest.status, LetterRequest.code)
            .join(LetterRequest, LetterRequest.resident_id == Resident.id).where(Resident.channel == "telegram")
        )).all()
        outbox_status = dict((await conn.execute(
            select(OutboxMessage.status, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.status))).all())
        outbox_by_chat = {int(c): n for c, n in (await conn.execute(
            select(OutboxMessage.chat_id, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.chat_id))).all()}
        processed = set((await conn.scalars(select(ProcessedUpdate.update_id)
                                            .where(ProcessedUpdate.channel == "telegram"))).all())
        inbox = dict((await conn.execute(select(InboundUpdate.status, func.count()).where(
            InboundUpdate.channel == "telegram").group_by(InboundUpdate.status))).all())
    if requests:
        by_resident: dict[int, list[str]] = {}
        for ext, status, _ in reqs:
            by_resident.setdefault(int(ext), []).append(status)
        wrong = [u for u in user_ids if by_resident.get(u) != ["issued" if u in approved else "submitted"]]
        out["requests"] = {"ok": not wrong and len(by_resident) == len(user_ids),
                           "residents_with_request": len(by_resident), "wrong_count": len(wrong),
                           "wrong": {u: by_resident.get(u) for u in wrong[:10]},
                           "status_counts": dict(Counter(st for _, st, _ in reqs))}
    out["outbox_all_sent"] = {"ok": set(outbox_status) == {"sent"}, "status_counts": outbox_status}
    sends = Counter(c.params.get("chat_id") for c in tg.calls if c.ok and c.method in COUNTED_SENDS)
    mismatched = {u: {"outbox": outbox_by_chat.get(u, 0), "sent": sends.get(u, 0)} for u in user_ids
                  if outbox_by_chat.get(u, 0) != sends.get(u, 0) or not outbox_by_chat.get(u)}
    out["sends_match_outbox"] = {"ok": not mismatched, "resident_messages": sum(sends[u] for u in user_ids),
                                 "mismatched": dict(list(mismatched.items())[:10]),
                                 "mismatched_count": len(mismatched)}
    if requests:
        cards = Counter(c.result["text"].split("\n", 1)[0] for c in tg.calls
                        if c.ok and c.method == "sendMessage" and c.params.get("chat_id") == GROUP
                        and isinstance(c.result, dict) and c.result.get("text", "").startswith("Permohonan "))
        codes = {f"Permohonan {code}" for _, _, code in reqs}
        out["one_card_per_request"] = {"ok": set(cards) == codes and all(n == 1 for n in cards.values()),
                                       "cards": sum(cards.values()), "requests": len(codes)}
    posted = {str(u) for u in update_ids}
    out["updates_handled_once"] = {"ok": processed == posted and inbox == {"done": len(posted)},
                                   "updates_sent": len(posted), "processed_update_rows": len(processed),
                                   "inbox_status_counts": inbox}
    out["no_resident_errors"] = {"ok": not errors, "errors": errors[:5], "error_count": len(errors)}
    out["no_unhandled_api_methods"] = {"ok": not tg.unhandled, "methods": sorted(set(tg.unhandled))}
    return out
