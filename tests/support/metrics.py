"""Reading a `/metrics` scrape (Prometheus text format) in tests."""

from __future__ import annotations


def sample(text: str, series: str) -> float | None:
    """The value of one series (its name and labels as exposed) in a scrape, or None if it is absent."""
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return None
