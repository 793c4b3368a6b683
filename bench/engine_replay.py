"""The scripted conversations of bench_engine.py, recorded and replayed against the engine of a tree.

The tree is this checkout, or (as a worker, `python bench/engine_replay.py ROUNDS` with
BENCH_ENGINE_TREE=<folder>) a copy of an older revision, so that the engine before issue #16 is
measured by the very same replay: its `flows` and test driver are imported from that folder. Each
`advance` call is timed in CPU time of the thread (what one core spends on it, whatever else runs
on the machine) and in wall time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

TREE = Path(os.environ.get("BENCH_ENGINE_TREE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(TREE))

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


@dataclass
class Times:
    """Nanoseconds of each `advance` call (CPU time of the thread, and wall time) and of each JSON round
    trip of the state (CPU time)."""

    cpu: list[int] = field(default_factory=list)
    wall: list[int] = field(default_factory=list)
    json: list[int] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {"steps": len(self.cpu), "cpu_ns": sum(self.cpu), "wall_ns": sum(self.wall), "json_ns": sum(self.json)}


def replay(chat: Recording, times: Times) -> int:
    """The conversation replayed from a fresh state, its times added to `times`; the requests it filed."""
    state, submitted = ConversationState(), 0
    for inbound, now, profile in chat.sent:
        ctx = Context(catalogue=chat.catalogue, directory=chat.directory, now=now, profile=profile,
                      upload_max_bytes=chat.upload_max_bytes)
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        state, effects = advance(state, inbound, ctx)
        w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
        state = ConversationState.model_validate_json(state.model_dump_json())
        c2 = time.thread_time_ns()
        times.cpu.append(c1 - c0)
        times.wall.append(w1 - w0)
        times.json.append(c2 - c1)
        submitted += sum(isinstance(e, SubmitRequest) for e in effects)
    return submitted


def recorded() -> dict[str, Recording]:
    """The scripted conversations, recorded, and checked to replay as recorded (a warm-up too)."""
    out = scripts(load_catalogue(), seed_directory())
    for chat in out.values():
        assert replay(chat, Times()) == chat.submitted, "replay diverged from the recorded conversation"
    return out


def run(conversations: dict[str, Recording], rounds: int, times: Times) -> None:
    for _ in range(rounds):
        for chat in conversations.values():
            replay(chat, times)


if __name__ == "__main__":  # a worker: `python bench/engine_replay.py ROUNDS`, the engine of BENCH_ENGINE_TREE
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    worker_times = Times()
    run(recorded(), int(sys.argv[1]), worker_times)
    print(json.dumps(worker_times.totals()))


