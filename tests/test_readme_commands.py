"""The README's two commands are the ones the Makefile provides, in a fresh clone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README must start with a sh code block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_demo_and_test() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_block_at = text.index("```sh")
    assert text[:first_block_at].count("\n") <= 3, "the two commands come first"
    assert readme_commands() == ["make demo", "make test"]


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")
def test_commands_exist_in_a_fresh_clone(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    for cmd in readme_commands():
        result = subprocess.run([*cmd.split(), "-n"], cwd=clone, capture_output=True, text=True)
        assert result.returncode == 0, (cmd, result.stderr)
        assert "venv" in result.stdout  # the set-up is part of the command
    ci = (clone / ".ci" / "run").read_text()
    assert "make test" in ci
