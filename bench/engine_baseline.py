"""The conversation engine as it was before issue #16, measured beside today's by bench_engine.py.

The tree of git revision `BASELINE` (or BENCH_ENGINE_BASELINE; "none" to skip) is copied once to a
temporary folder; `engine_replay.py` then replays the same scripted conversations with that tree's
engine and test driver, in a subprocess on the same core, a few rounds at a time (in turns with
today's engine), timed the same way.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BASELINE = "fd0cd2f"  # main when #16 was taken up (about 6,600 steps/s then)
REPLAY = Path(__file__).resolve().parent / "engine_replay.py"


class Baseline:
    """A copy of the tree at `revision`, whose engine is replayed on demand; the totals of its runs."""

    def __init__(self, root: Path, revision: str):
        self.revision = revision
        tree = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", revision],
                              capture_output=True, check=True).stdout
        self.dir = Path(tempfile.mkdtemp(prefix="esurat-engine-baseline-"))
        with tarfile.open(fileobj=io.BytesIO(tree)) as tar:
            tar.extractall(self.dir, filter="data")
        self.totals = {"steps": 0, "cpu_ns": 0, "wall_ns": 0, "json_ns": 0}
        self.error: str | None = None  # why a run gave no figures

    def run(self, rounds: int) -> None:
        """`rounds` more rounds of the scripted conversations on the old engine."""
        env = {**os.environ, "BENCH_ENGINE_TREE": str(self.dir)}
        done = subprocess.run([sys.executable, str(REPLAY), str(rounds)], env=env, cwd=self.dir,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            self.error = f"its replay failed: {last}"
            return
        for name, value in json.loads(done.stdout).items():
            self.totals[name] += value

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def baseline(root: Path) -> Baseline | str:
    """The baseline to measure, or why there is none (no git checkout, revision unknown, skipped)."""
    revision = os.environ.get("BENCH_ENGINE_BASELINE", BASELINE)
    if revision.lower() == "none":
        return "skipped (BENCH_ENGINE_BASELINE=none)"
    try:
        return Baseline(root, revision)
    except (OSError, subprocess.CalledProcessError) as e:
        return f"revision {revision} not available ({e.__class__.__name__})"
