"""Benchmark: N simulated residents (default 200) completing SKTM requests concurrently on
Telegram, through the fake Bot API server, against the whole running service (FastAPI app,
Telegram long-polling worker, outbox sender), on SQLite and on PostgreSQL.

Each resident does a complete request: /start, consent, kelurahan, letter, every field, 0 or
1 dependant (alternately), a photo for each attachment, the summary, "kirim". Before each
answer it waits until every reply to its previous update was delivered (the update confirmed,
then as many messages to its chat as the outbox holds for it). Figures per backend: updates
per second, latency from an update being queued to the first bot message to that chat reaching
the fake (p50/p95/max), and, after staff approve a sample of the requests (the PDF is issued
and sent), checks that nothing was lost or duplicated: one request per resident in the right
status, every Telegram outbox row sent, sends to each resident's chat == its outbox rows, one
card per request in the group, every update handled exactly once.

Telegram's own rate limits (1 msg/s per chat, 20/min per group, 30/s overall) are switched
off in the service's sender so that the bench measures e-surat's capacity; with them on,
delivery (30 messages/s for the whole bot) is the bottleneck, not e-surat.

Options: --residents N (default 200), --backends sqlite,postgres, --approve K (default 20),
--quick (20 residents, 5 approvals). PostgreSQL: --postgres-url or ESURAT_TEST_POSTGRES_URL
(default postgresql+asyncpg://postgres@127.0.0.1:5432/test); a database esurat_bench_<random>
is created on that server and dropped at the end; an unreachable server skips the backend.
Writes bench/results/telegram_load.json; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.telegram_load_support import (  # noqa: E402
    LoadFake,
    LoadResident,
    Observer,
    Timings,
    pg_create,
    pg_drop,
)
from db.migrate import upgrade  # noqa: E402
from db.models import LetterRequest, ModerationPost, OutboxMessage, ProcessedUpdate, Resident  # noqa: E402
from tests.fakes.telegram_model import COUNTED_SENDS  # noqa: E402
from tests.support.telegram import GROUP, OUTBOX_POLL, STAFF_ID, jpeg, register, telegram_service  # noqa: E402

OUT = ROOT / "bench" / "results" / "telegram_load.json"
FIRST_RESIDENT = 5_000_001
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
# As the tests' fake Bot API settings, with the platform's global rate limit off too (see the docstring).
TELEGRAM: dict[str, Any] = {"chat_interval": 0.0, "group_interval": 0.0, "global_per_second": 1_000_000.0,
                            "polling_timeout": 2}
DRAIN_TIMEOUT = 300.0


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


async def drain(observer: Observer) -> float:
    """Seconds until no Telegram outbox row is pending (one reader, every 50 ms)."""
    t0 = time.monotonic()
    while await observer.pending():
        if time.monotonic() - t0 > DRAIN_TIMEOUT:
            raise TimeoutError(f"outbox not drained after {DRAIN_TIMEOUT}s")
        await asyncio.sleep(0.05)
    return time.monotonic() - t0


async def approve(tg: LoadFake, observer: Observer, services: Any, user_ids: list[int]) -> dict[str, Any]:
    """The staff member presses "Setujui" on each sampled card at once; time until the PDF reaches the resident."""
    async with services.sessions() as s:
        rows = (await s.execute(
            select(Resident.external_id, LetterRequest.id, ModerationPost.message_id)
            .join(LetterRequest, LetterRequest.resident_id == Resident.id)
            .join(ModerationPost, ModerationPost.request_id == LetterRequest.id)
            .where(Resident.channel == "telegram", ModerationPost.channel == "telegram",
                   Resident.external_id.in_([str(u) for u in user_ids]))
        )).all()
    latencies: list[float] = []
    update_ids: list[int] = []

    async def one(user_id: int, request_id: int, message_id: int) -> None:
        update = tg.user_presses(STAFF_ID, GROUP, message_id, f"m:approve:{request_id}", first_name="Petugas")
        t0 = time.monotonic()
        update_ids.append(update["update_id"])
        await tg.confirmed(update["update_id"])
        await observer.handled(update["update_id"])
        while True:  # then the letter is issued by the approval's follow-up, after the press is answered
            async with services.sessions() as s:
                status = await s.scalar(select(LetterRequest.status).where(LetterRequest.id == request_id))
            if status != "approved":
                break
            await asyncio.sleep(0.02)
        n = await observer.outbox_rows(user_id)
        await tg.sent_at_least(user_id, n)
        latencies.append((tg.send_time(user_id, n - 1) - t0) * 1000)  # the last row is the PDF

    t0 = time.monotonic()
    await asyncio.gather(*(one(int(ext), rid, int(mid)) for ext, rid, mid in rows))
    wall = time.monotonic() - t0
    return {"approved": len(rows), "update_ids": update_ids, "wall_s": round(wall, 2),
            "approvals_per_s": round(len(rows) / wall, 2) if wall else None,
            "press_to_pdf_ms": summary(latencies)}


async def checks(tg: LoadFake, services: Any, user_ids: list[int], approved: set[int], updates: int,
                 errors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with services.sessions() as s:
        reqs = (await s.execute(
            select(Resident.external_id, LetterRequest.status, LetterRequest.code)
            .join(LetterRequest, LetterRequest.resident_id == Resident.id).where(Resident.channel == "telegram")
        )).all()
        outbox_status = dict((await s.execute(
            select(OutboxMessage.status, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.status))).all())
        outbox_by_chat = {int(c): n for c, n in (await s.execute(
            select(OutboxMessage.chat_id, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.chat_id))).all()}
        processed = await s.scalar(select(func.count()).select_from(ProcessedUpdate)
                                   .where(ProcessedUpdate.channel == "telegram"))
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
    cards = Counter(c.result["text"].split("\n", 1)[0] for c in tg.calls
                    if c.ok and c.method == "sendMessage" and c.params.get("chat_id") == GROUP
                    and isinstance(c.result, dict) and c.result.get("text", "").startswith("Permohonan "))
    codes = {f"Permohonan {code}" for _, _, code in reqs}
    out["one_card_per_request"] = {"ok": set(cards) == codes and all(n == 1 for n in cards.values()),
                                   "cards": sum(cards.values()), "requests": len(codes)}
    out["updates_handled_once"] = {"ok": processed == updates, "updates_sent": updates,
                                   "processed_update_rows": processed}
    out["no_resident_errors"] = {"ok": not errors, "errors": errors[:5], "error_count": len(errors)}
    out["no_unhandled_api_methods"] = {"ok": not tg.unhandled, "methods": sorted(set(tg.unhandled))}
    return out


async def run_load(url: str, data_dir: Path, residents: int, approvals: int) -> dict[str, Any]:
    photo = jpeg()
    async with LoadFake(token="123456:TEST") as tg:
        service = telegram_service(tg, data_dir, url, **TELEGRAM)
        services = await service.start()
        await register(services)
        observer = Observer(url)
        observer.watch(services)
        try:
            timings = Timings()
            user_ids = [FIRST_RESIDENT + i for i in range(residents)]
            people = [LoadResident(tg, observer, services.catalogue, u, photo, timings) for u in user_ids]
            cpu0, t0 = time.process_time(), time.monotonic()
            outcomes = await asyncio.gather(*(p.request_sktm(dependants=i % 2) for i, p in enumerate(people)),
                                            return_exceptions=True)
            wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
            errors = [f"{u}: {o!r}" for u, o in zip(user_ids, outcomes, strict=True) if isinstance(o, BaseException)]
            cards_drain = await drain(observer)
            step = max(1, residents // approvals) if approvals else 0
            sample = user_ids[::step][:approvals] if approvals else []
            appr: dict[str, Any] = {"approved": 0, "update_ids": []}
            if sample:
                appr = await approve(tg, observer, services, sample)
            await drain(observer)
            updates = timings.updates + len(appr["update_ids"])
            result_checks = await checks(tg, services, user_ids, set(sample), updates, errors)
        finally:
            await observer.close()
            await service.stop()
    lat = timings.all()
    appr.pop("update_ids")
    return {
        "residents": residents,
        "updates": timings.updates,
        "updates_per_resident": round(timings.updates / residents, 1),
        "wall_s": round(wall, 2),
        "updates_per_s": round(timings.updates / wall, 1),
        "requests_per_minute": round(residents / wall * 60, 1),
        "cpu_s": round(cpu, 2),
        "cpu_cores_busy": round(cpu / wall, 2),
        "latency_ms": summary(lat),
        "latency_ms_by_kind": {k: summary(v) for k, v in timings.latencies_ms.items()},
        "updates_without_reply": timings.silent,
        "group_cards_drained_after_s": round(cards_drain, 2),
        "approvals": appr,
        "checks": result_checks,
        "ok": all(c["ok"] for c in result_checks.values()),
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"esurat-load-{backend}-"))
    url = ""
    try:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        else:
            try:
                url = asyncio.run(pg_create(args.postgres_url))
            except Exception as e:  # noqa: BLE001 - any failure to reach the server
                return {"skipped": f"PostgreSQL unreachable at {args.postgres_url}: {e!r}"}
        upgrade(url)  # outside any event loop
        return asyncio.run(run_load(url, tmp / "data", args.residents, args.approve))
    finally:
        if backend == "postgres" and url:
            asyncio.run(pg_drop(url))
        shutil.rmtree(tmp, ignore_errors=True)


def print_backend(backend: str, r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"  {backend:9} skipped: {r['skipped']}")
        return
    lat, kinds = r["latency_ms"], r["latency_ms_by_kind"]
    print(f"  {backend:9} {r['residents']} residents, {r['updates']} updates in {r['wall_s']} s: "
          f"{r['updates_per_s']} updates/s ({r['requests_per_minute']} requests/min), "
          f"{r['cpu_cores_busy']} cores busy")
    print(f"  {'':9} update -> first reply: p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms "
          f"(text p50 {kinds['text']['p50']}, button {kinds['press']['p50']}, photo {kinds['photo']['p50']})")
    a = r["approvals"]
    if a["approved"]:
        print(f"  {'':9} group cards all delivered {r['group_cards_drained_after_s']} s after the last resident; "
              f"{a['approved']} approvals in {a['wall_s']} s, press -> PDF p50 {a['press_to_pdf_ms']['p50']} ms, "
              f"max {a['press_to_pdf_ms']['max']} ms")
    for name, c in r["checks"].items():
        detail = {k: v for k, v in c.items() if k != "ok" and v not in ({}, [], 0)}
        print(f"  {'':9} [{'ok' if c['ok'] else 'FAIL'}] {name} {json.dumps(detail, default=str)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200, help="concurrent residents (default 200)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--approve", type=int, default=20, help="requests approved by staff at the end (default 20)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 residents, 5 approvals")
    parser.add_argument("--postgres-url", default=os.environ.get("ESURAT_TEST_POSTGRES_URL") or DEFAULT_PG)
    args = parser.parse_args()
    if args.quick:
        args.residents, args.approve = 20, 5
    args.approve = max(0, min(args.approve, args.residents))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(backends) - {"sqlite", "postgres"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.WARNING)

    print(f"telegram load: {args.residents} residents completing an SKTM request concurrently through the fake "
          f"Bot API server; staff approve {args.approve} at the end")
    print("  Telegram's rate limits are OFF in the sender (per chat, per group, 30 msg/s overall): this measures "
          "e-surat's own capacity;\n  with the real limits, delivery (30 messages/s for the whole bot) is the "
          "bottleneck, not e-surat.")
    results: dict[str, Any] = {}
    for backend in backends:
        results[backend] = run_backend(backend, args)
        print_backend(backend, results[backend])
    ran = {b: r for b, r in results.items() if "skipped" not in r}
    ratio = None
    if "sqlite" in ran and "postgres" in ran:
        ratio = round(ran["sqlite"]["updates_per_s"] / ran["postgres"]["updates_per_s"], 2)
        print(f"  updates/s SQLite / PostgreSQL = {ratio} (same run, same machine)")
    ok = all(r["ok"] for r in ran.values())
    result = {
        "benchmark": "telegram_load",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "residents": args.residents,
        "approved_sample": args.approve,
        "flow": "SKTM: /start, consent, kelurahan, letter, fields, 0 or 1 dependant (alternately), "
                "a photo per attachment, summary, kirim",
        "latency": "update queued on the fake -> first bot message to that chat reaching the fake",
        "service_settings": {"telegram": TELEGRAM, "outbox_poll_interval": OUTBOX_POLL},
        "note": "Telegram rate limits disabled in the sender so the bench measures e-surat's own capacity; with "
                "Telegram's real limits (30 messages/s overall, 1/s per chat, 20/min per group) delivery is the "
                "bottleneck. The fake server and the simulated residents run in the service's process and event "
                "loop and take part of its CPU.",
        "backends": results,
        "updates_per_s_ratio_sqlite_over_postgres": ratio,
        "ok": ok,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"  -> {OUT.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
