"""The edit menu at the summary (issue #11): a way back to the summary on every page, and titles that fit a
button without cutting a word."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import Step
from flows.choice_sets import short
from tests.support.flows import reach

CODES = ["sktm", "sku", "domisili", "pengantar_skck", "belum_menikah", "kelahiran", "kematian"]


def _pages(chat: Any) -> list[list[Any]]:
    pages = [chat.prompt.choices]
    while "__next" in chat.values and len(pages) < 10:
        chat.press("__next")
        pages.append(chat.prompt.choices)
    return pages


def test_every_page_offers_the_way_back_to_the_summary(chat: Any) -> None:
    reach(chat, "fix_pick")
    pages = _pages(chat)
    assert len(pages) <= 3
    assert all(any(c.value == "__summary" and c.title == "Kembali ke ringkasan" for c in p) for p in pages)
    chat.press("__summary")
    assert chat.state.step == Step.SUMMARY and "Ringkasan permohonan" in chat.text


@pytest.mark.parametrize("typed", ["ringkasan", "Kembali ke ringkasan"])
def test_typing_the_way_back(chat: Any, typed: str) -> None:
    reach(chat, "fix_pick")
    chat.send(typed)
    assert chat.state.step == Step.SUMMARY


@pytest.mark.parametrize("code", CODES)
def test_titles_fit_without_cutting_words(make_chat: Callable[..., Any], code: str) -> None:
    chat = make_chat()
    chat.start()
    chat.choose_letter(code)
    chat.fill(submit=False)
    chat.press("ubah")
    for page in _pages(chat):
        for c in page:
            assert len(c.title) <= 20 and "…" not in c.title, c.title


def test_short_titles() -> None:
    assert short("Nomor Surat Pengantar RT/RW") == "No. Pengantar RT/RW"
    assert short("Tanggal Surat Pengantar RT/RW") == "Tgl. Pengantar RT/RW"
    assert short("Hubungan Pelapor dengan Anak") == "Hubungan Pelapor"
    assert short("Status Tempat Tinggal") == "Status Tmp. Tinggal"
    assert short("Lanjut") == "Lanjut"
