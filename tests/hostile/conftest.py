"""The long fuzz runs (`@pytest.mark.slow`, >= 10,000 examples each) run only when asked for: `-m slow`
(or any marker expression naming `slow`); a default run has their short variants."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long fuzz run: select it with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None and "tests/hostile/" in item.nodeid.replace("\\", "/"):
            item.add_marker(skip)
