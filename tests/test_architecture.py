"""The channel seam holds: domain code (`flows/`, `conversation/`, `lifecycle/`, `moderation/`) imports no
channel adapter or chat library and names no channel; every channel is registered in the composition root."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.composition import CHANNELS

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["flows", "conversation", "lifecycle", "moderation", "visits", "stats"]
CHANNEL_NAMES = {"telegram", "whatsapp", "web"}
FORBIDDEN_IMPORTS = ("bot", "aiogram", "httpx", "fastapi", "starlette")


def modules() -> list[Path]:
    return sorted(p for package in DOMAIN for p in (ROOT / package).rglob("*.py"))


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_code_knows_no_channel(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_IMPORTS, f"{path.name} imports {name}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words = set(node.value.lower().replace(":", " ").split())
            assert not words & CHANNEL_NAMES, f"{path.name}:{node.lineno} names a channel: {node.value!r}"


def test_every_channel_is_one_line_of_the_composition_root() -> None:
    assert [f.__name__ for f in CHANNELS] == ["_webchat", "_telegram", "_whatsapp", "_desk"]
