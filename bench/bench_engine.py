"""Benchmark: the conversation engine alone (`flows.advance`), on one core.

Scripted conversations (every letter type end to end, an SKTM with three dependants, and one
with detours: help, invalid answers, going back, changing an answer at the summary, then a staff
correction) are recorded once through the test driver, then replayed BENCH_ROUNDS times (default
100) from a fresh state, timing every `advance` call (`engine_replay`); each replay must file the
same requests as the recording. Timed apart: the JSON round trip of the state that a runner does
between messages.

Steps per second are counted in CPU time of the thread: what one core spends in the engine,
whatever else runs on the (shared, noisy) machine; the wall-time figure is recorded beside it.
In the same run, in turns of a quarter of the rounds, the engine as it was before issue #16 (git
revision `engine_baseline.BASELINE`, or BENCH_ENGINE_BASELINE; "none" skips it) replays the same
conversations the same way, in a subprocess on the same core; the ratio is printed and recorded
(left out when there is no git checkout).

Writes bench/results/engine.json. Target: at least 20,000 steps/s on one core (issue #16: about
6,600 before); exits 1 when missed.
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

from bench.engine_baseline import Baseline, baseline  # noqa: E402
from bench.engine_replay import Times, recorded, run  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
TURNS = 4  # today's engine and the baseline take turns, so that a burst of load falls on both alike
TARGET_STEPS_PER_SECOND = 20_000
OUT = ROOT / "bench" / "results" / "engine.json"


def _per_second(steps: int, ns: int) -> int:
    return round(steps / (ns / 1e9)) if ns else 0


def _baseline_figures(base: Baseline | str, steps_per_second: int) -> dict[str, Any]:
    if isinstance(base, str) or base.error or not base.totals["steps"]:
        return {"not_measured": base if isinstance(base, str) else base.error or "no steps"}
    t = base.totals
    before = _per_second(t["steps"], t["cpu_ns"])
    return {"revision": base.revision, "steps": t["steps"], "steps_per_second": before,
            "steps_per_second_wall": _per_second(t["steps"], t["wall_ns"]),
            "steps_per_second_with_json_roundtrip": _per_second(t["steps"], t["cpu_ns"] + t["json_ns"]),
            "speedup": round(steps_per_second / before, 2)}


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    conversations = recorded()
    base = baseline(ROOT)
    times = Times()
    wall = 0.0
    try:
        for turn in range(TURNS):
            rounds = ROUNDS // TURNS + (1 if turn < ROUNDS % TURNS else 0)
            started = time.perf_counter()
            run(conversations, rounds, times)
            wall += time.perf_counter() - started
            if isinstance(base, Baseline) and rounds:
                base.run(rounds)
    finally:
        if isinstance(base, Baseline):
            base.close()
    t = times.totals()
    steps_per_second = _per_second(t["steps"], t["cpu_ns"])
    before = _baseline_figures(base, steps_per_second)
    result = {
        "benchmark": "engine",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores_used": 1,
        "rounds": ROUNDS,
        "conversations": {name: len(chat.sent) for name, chat in conversations.items()},
        "requests_filed_per_round": sum(chat.submitted for chat in conversations.values()),
        "steps": t["steps"],
        "steps_per_second": steps_per_second,  # CPU time of the thread
        "steps_per_second_wall": _per_second(t["steps"], t["wall_ns"]),
        "median_step_ms": round(statistics.median(times.cpu) / 1e6, 4),
        "p95_step_ms": round(statistics.quantiles(times.cpu, n=20)[-1] / 1e6, 4),
        "max_step_ms": round(max(times.cpu) / 1e6, 3),
        "median_step_wall_ms": round(statistics.median(times.wall) / 1e6, 4),
        "median_state_json_roundtrip_ms": round(statistics.median(times.json) / 1e6, 4),
        "steps_per_second_with_json_roundtrip": _per_second(t["steps"], t["cpu_ns"] + t["json_ns"]),
        "wall_seconds": round(wall, 2),
        "baseline": before,  # the engine before #16, measured in the same run
        "target_steps_per_second": TARGET_STEPS_PER_SECOND,
    }
    result["target_met"] = steps_per_second >= TARGET_STEPS_PER_SECOND
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"engine: {result['steps']} steps ({len(conversations)} scripted conversations x {ROUNDS} rounds), one core")
    print(f"  {steps_per_second} steps/s (CPU time; wall time {result['steps_per_second_wall']}), median step "
          f"{result['median_step_ms']} ms, p95 {result['p95_step_ms']} ms; with the state's JSON round trip "
          f"{result['steps_per_second_with_json_roundtrip']} steps/s")
    if "steps_per_second" in before:
        print(f"  before #16 ({before['revision']}), same run, in turns: {before['steps_per_second']} steps/s "
              f"(wall {before['steps_per_second_wall']}; {before['steps_per_second_with_json_roundtrip']} with the "
              f"JSON round trip): now {before['speedup']}x faster")
    else:
        print(f"  before #16: not measured, {before['not_measured']}")
    print(f"  target {TARGET_STEPS_PER_SECOND} steps/s: {'met' if result['target_met'] else 'MISSED'}")
    print(f"  written to {OUT.relative_to(ROOT)}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
