"""Benchmark: the conversation engine alone (`flows.advance`), on one core.

Scripted conversations (every letter type end to end, an SKTM with three dependants, and one
with detours: help, invalid answers, going back, changing an answer at the summary, then a staff
correction) are recorded once through the test driver, then replayed BENCH_ROUNDS times (default
100) from a fresh state, timing every `advance` call; each replay must file the same requests as
the recording. Timed apart: the JSON round trip of the state that a runner does between messages.
Prints steps per second and the median step time, and writes bench/results/engine.json.
Target: at least 1,000 steps/s on one core (a bot gets at most ~30 messages/s from the chat
platforms); exits 1 when missed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows import (  # noqa: E402
    Catalogue,
    Context,
    ConversationState,
    Directory,
    RevisionRequested,
    SubmitRequest,
    Text,
    advance,
    load_catalogue,
)
from tests.support.flows import PROFILE, Chat, seed_directory  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
TARGET_STEPS_PER_SECOND = 1000
OUT = ROOT / "bench" / "results" / "engine.json"

Message = tuple[Any, datetime, dict[str, str]]  # inbound, clock, the resident's saved profile


class Recording(Chat):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sent: list[Message] = []

    def send(self, inbound: Any) -> list[Any]:
        inbound = Text(text=inbound) if isinstance(inbound, str) else inbound
        self.sent.append((inbound, self.now, dict(self.profile)))
        return super().send(inbound)

    @property
    def submitted(self) -> int:
        return sum(isinstance(e, SubmitRequest) for e in self.log)


def scripts(catalogue: Catalogue, directory: Directory) -> dict[str, Recording]:
    """Each scripted conversation, run once through the test driver (which checks every reply)."""
    out: dict[str, Recording] = {}
    for code in catalogue.codes:
        out[code] = chat = Recording(catalogue, directory)
        chat.start()
        chat.choose_letter(code)
        if catalogue[code].online:
            chat.fill()
    out["sktm_3_dependants"] = chat = Recording(catalogue, directory)
    chat.start("Kereng Bangkirai")
    chat.choose_letter("sktm")
    chat.fill(dependants=3)
    out["detours_and_correction"] = chat = Recording(catalogue, directory, profile=dict(PROFILE))
    chat.start("Menteng")
    for text in ("bantuan", "apa?", "status", "kembali", "menteng", "usaha", "lanjut", "tidak", "S1t1", "kembali"):
        chat.send(text)
    chat.fill(submit=False)
    for text in ("ubah alamat", "Jl. Rajawali No. 7", "ubah", "kembali", "kirim"):
        chat.send(text)
    chat.send(RevisionRequested(request_id=7, letter_type="sku", kelurahan_slug="menteng", fields=dict(PROFILE),
                                attachments={"ktp": "k"}, fields_to_fix=["alamat"], note="Alamat kurang lengkap."))
    chat.fill()
    return out


def replay(chat: Recording) -> tuple[list[int], list[int], int]:
    """Nanoseconds of each advance call and of each JSON round trip of the state; requests filed."""
    state, steps, stores, submitted = ConversationState(), [], [], 0
    for inbound, now, profile in chat.sent:
        ctx = Context(catalogue=chat.catalogue, directory=chat.directory, now=now, profile=profile,
                      upload_max_bytes=chat.upload_max_bytes)
        t0 = time.perf_counter_ns()
        state, effects = advance(state, inbound, ctx)
        t1 = time.perf_counter_ns()
        state = ConversationState.model_validate_json(state.model_dump_json())
        t2 = time.perf_counter_ns()
        steps.append(t1 - t0)
        stores.append(t2 - t1)
        submitted += sum(isinstance(e, SubmitRequest) for e in effects)
    return steps, stores, submitted


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    recorded = scripts(load_catalogue(), seed_directory())
    for chat in recorded.values():  # warm up, and check the replay files what the recording filed
        assert replay(chat)[2] == chat.submitted, "replay diverged from the recorded conversation"
    steps: list[int] = []
    stores: list[int] = []
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for chat in recorded.values():
            a, b, _ = replay(chat)
            steps += a
            stores += b
    wall = time.perf_counter() - started
    steps_per_second = round(len(steps) / (sum(steps) / 1e9))
    result = {
        "benchmark": "engine",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores_used": 1,
        "rounds": ROUNDS,
        "conversations": {name: len(chat.sent) for name, chat in recorded.items()},
        "requests_filed_per_round": sum(chat.submitted for chat in recorded.values()),
        "steps": len(steps),
        "steps_per_second": steps_per_second,
        "median_step_ms": round(statistics.median(steps) / 1e6, 4),
        "p95_step_ms": round(statistics.quantiles(steps, n=20)[-1] / 1e6, 4),
        "max_step_ms": round(max(steps) / 1e6, 3),
        "median_state_json_roundtrip_ms": round(statistics.median(stores) / 1e6, 4),
        "steps_per_second_with_json_roundtrip": round(len(steps) / ((sum(steps) + sum(stores)) / 1e9)),
        "wall_seconds": round(wall, 2),
        "target_steps_per_second": TARGET_STEPS_PER_SECOND,
    }
    result["target_met"] = steps_per_second >= TARGET_STEPS_PER_SECOND
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"engine: {result['steps']} steps ({len(recorded)} scripted conversations x {ROUNDS} rounds), one core")
    print(f"  {result['steps_per_second']} steps/s, median step {result['median_step_ms']} ms, "
          f"p95 {result['p95_step_ms']} ms; with the state's JSON round trip "
          f"{result['steps_per_second_with_json_roundtrip']} steps/s")
    print(f"  written to {OUT.relative_to(ROOT)}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
