"""The README lists exactly the templates the service sends (a deployment registers them from there)."""

from __future__ import annotations

from pathlib import Path

from bot.whatsapp.templates import readme_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_the_templates_as_sent() -> None:
    assert readme_table() in README.read_text(encoding="utf-8")
