"""What must hold after a crash or fault run, read from the database, the data directory and what the fake
Bot API really delivered. Each check is {"ok": bool, ...details}; `figures` sums up lost and duplicated."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.crash_people import PeopleLog
from bench.crash_support import CrashFake
from db.models import Letter, LetterRequest, OutboxMessage, Resident
from tests.fakes.telegram_model import COUNTED_SENDS
from tests.support.telegram import GROUP

Check = dict[str, Any]


async def _requests(engine: AsyncEngine) -> list[tuple[int, int, str, str, str | None]]:
    """(resident chat, request id, code, status, number) of every Telegram resident's request."""
    async with engine.connect() as conn:
        rows = (await conn.execute(
            select(Resident.external_id, LetterRequest.id, LetterRequest.code, LetterRequest.status,
                   LetterRequest.number)
            .join(Resident, Resident.id == LetterRequest.resident_id).where(Resident.channel == "telegram"))).all()
    return [(int(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]


def requests_once(residents: list[int], log: PeopleLog, reqs: list[tuple[int, int, str, str, str | None]]) -> Check:
    per = Counter(chat for chat, *_ in reqs)
    missing = sorted(u for u in log.submitted if per[u] == 0)
    doubled = sorted(u for u in residents if per[u] > 1)
    return {"ok": not missing and not doubled, "requests": len(reqs), "submitted_by": len(log.submitted),
            "lost": len(missing), "duplicated": len(doubled), "lost_residents": missing[:10],
            "duplicated_residents": doubled[:10]}


def decided(residents: list[int], reqs: list[tuple[int, int, str, str, str | None]]) -> Check:
    final = {chat: status for chat, _, _, status, _ in reqs}
    open_ = {u: final.get(u) for u in residents if final.get(u) not in ("issued", "rejected")}
    return {"ok": not open_, "status_counts": dict(Counter(final.values())), "not_finished": len(open_),
            "not_finished_status": dict(Counter(open_.values()))}


def _files(letters_dir: Path, sha_by_path: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(rows whose PDF is missing or differs from its SHA-256, PDFs without a row, partial writes left)."""
    bad = [path for path, sha in sha_by_path.items() if not (letters_dir / path).is_file()
           or hashlib.sha256((letters_dir / path).read_bytes()).hexdigest() != sha]
    if not letters_dir.is_dir():
        return bad, [], []
    on_disk = [str(p.relative_to(letters_dir)) for p in letters_dir.rglob("*.pdf")]
    partial = [str(p.relative_to(letters_dir)) for p in letters_dir.rglob("*.part")]
    return bad, [p for p in on_disk if p not in sha_by_path], partial


async def letters(engine: AsyncEngine, letters_dir: Path, reqs: list[tuple[int, int, str, str, str | None]]) -> Check:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Letter.request_id, Letter.number, Letter.pdf_path, Letter.pdf_sha256))).all()
    by_request = Counter(int(r[0]) for r in rows)
    numbers = Counter(str(r[1]) for r in rows)
    issued = {rid: number for _, rid, _, status, number in reqs if status == "issued"}
    approved_only = [rid for _, rid, _, status, _ in reqs if status == "approved"]
    without = [rid for rid in issued if by_request[rid] == 0]
    several = [rid for rid, n in by_request.items() if n > 1]
    reused = [n for n, c in numbers.items() if c > 1]
    mismatched_number = [int(r[0]) for r in rows if int(r[0]) in issued and issued[int(r[0])] != r[1]]
    bad_pdf, orphans, partial = _files(letters_dir, {str(r[2]): str(r[3]) for r in rows})
    ok = not (without or several or reused or mismatched_number or bad_pdf or approved_only)
    return {
        "letters": {"ok": ok, "issued": len(issued), "letter_rows": len(rows), "approved_without_letter":
                    approved_only, "issued_without_letter": without, "several_letters": several,
                    "numbers_reused": reused, "number_differs_from_request": mismatched_number,
                    "pdf_missing_or_sha256_mismatch": bad_pdf[:10]},
        "no_letter_file_without_row": {"ok": not orphans, "orphans": orphans[:10], "orphan_count": len(orphans),
                                       "partial_files": partial[:10]},
    }


async def deliveries(engine: AsyncEngine, tg: CrashFake, residents: list[int],
                     reqs: list[tuple[int, int, str, str, str | None]]) -> dict[str, Check]:
    async with engine.connect() as conn:
        status = {str(k): int(v) for k, v in (await conn.execute(
            select(OutboxMessage.status, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.status))).all()}
        per_chat = {int(c): int(n) for c, n in (await conn.execute(
            select(OutboxMessage.chat_id, func.count()).where(OutboxMessage.channel == "telegram")
            .group_by(OutboxMessage.chat_id))).all()}
    received = Counter(c.params.get("chat_id") for c in tg.calls if c.ok and c.method in COUNTED_SENDS)
    doubled = {u: received[u] - per_chat.get(u, 0) for u in residents if received[u] > per_chat.get(u, 0)}
    lost = {u: per_chat.get(u, 0) - received[u] for u in residents if received[u] < per_chat.get(u, 0)}
    cards = Counter(c.result["text"].split("\n", 1)[0].removeprefix("Permohonan ").strip() for c in tg.calls
                    if c.ok and c.method == "sendMessage" and c.params.get("chat_id") == GROUP
                    and isinstance(c.result, dict) and str(c.result.get("text", "")).startswith("Permohonan "))
    codes = {code for _, _, code, _, _ in reqs}
    return {
        "outbox_all_delivered": {"ok": set(status) <= {"sent"}, "status_counts": status},
        "resident_received_each_message_once": {
            "ok": not doubled and not lost, "resident_messages": sum(received[u] for u in residents),
            "outbox_rows_to_residents": sum(per_chat.get(u, 0) for u in residents),
            "duplicated_messages": sum(doubled.values()), "lost_messages": sum(lost.values()),
            "duplicated_by_resident": dict(list(doubled.items())[:10]),
            "lost_by_resident": dict(list(lost.items())[:10])},
        "one_card_per_request": {
            "ok": set(cards) == codes and all(n == 1 for n in cards.values()), "cards": sum(cards.values()),
            "requests": len(codes), "without_card": sorted(codes - set(cards))[:10],
            "several_cards": {c: n for c, n in cards.items() if n > 1}},
    }


def presses_answered(tg: CrashFake, log: PeopleLog, stale: Check) -> Check:
    unanswered = [q for q in log.press_ids if tg.callback_answer(q) is None]
    return {"ok": not unanswered and stale["ok"], "presses": len(log.press_ids), "unanswered": len(unanswered),
            "stale_card_press": stale}


def updates_answered(log: PeopleLog) -> Check:
    return {"ok": not log.unanswered, "updates": log.updates, "late": log.late,
            "unanswered": len(log.unanswered), "examples": log.unanswered[:5]}


def figures(checks: dict[str, Check]) -> dict[str, int]:
    """lost and duplicated, summed over what the checks found."""
    reqs, msgs = checks["requests_once"], checks["resident_received_each_message_once"]
    cards, let = checks["one_card_per_request"], checks["letters"]
    lost = (reqs["lost"] + msgs["lost_messages"] + checks["updates_answered"]["unanswered"]
            + len(let["approved_without_letter"]) + len(let["issued_without_letter"]) + len(cards["without_card"]))
    duplicates = (reqs["duplicated"] + msgs["duplicated_messages"] + sum(n - 1 for n in cards["several_cards"].values())
                  + len(let["several_letters"]) + len(let["numbers_reused"]))
    return {"lost": lost, "duplicates": duplicates,
            "orphan_letter_files": checks["no_letter_file_without_row"]["orphan_count"]}
