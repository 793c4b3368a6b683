"""The templates a deployment registers: placeholders that match their parameters, within the Cloud API's limits."""

from __future__ import annotations

import re

import pytest

from bot.whatsapp.templates import DETAIL_MAX, PARAM_MAX, TEMPLATES, TemplateText, clean_param
from db.outbound import Notice

LONG = Notice(event="reject", code="x" * 500, title="t" * 500, number="n" * 500, detail="d" * 2000)


@pytest.mark.parametrize("spec", TEMPLATES.values(), ids=list(TEMPLATES))
def test_placeholders_match_the_parameters(spec: TemplateText) -> None:
    found = [int(n) for n in re.findall(r"\{\{(\d+)\}\}", spec.body)]
    count = len(spec.params(LONG)) if spec.params is not None else 1
    assert found == list(range(1, count + 1))
    assert not spec.body.startswith("{{") and not spec.body.rstrip(".").endswith("}}")  # Meta refuses those
    longest = len(re.sub(r"\{\{\d+\}\}", "", spec.body)) + (count - 1) * PARAM_MAX + DETAIL_MAX
    assert longest <= 1024


def test_clean_param() -> None:
    assert clean_param("a\nb\t c     d  ") == "a b c d"
    assert clean_param(" \n ") == "-"
    assert clean_param("x" * 150) == "x" * (PARAM_MAX - 1) + "…"
