"""Replies that a channel cannot show cannot even be built; long prompts are split to fit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows import AskFile, Choice, Reply
from flows.choice_sets import Option
from flows.inbound import ChoiceMade, Command, Text
from flows.menus import Prompt, render, resolve, shown


def listed(n: int) -> str:
    return "Pilih:\n" + "\n".join(f"{i}. Pilihan {i}" for i in range(1, n + 1))


def choices(n: int) -> list[Choice]:
    return [Choice(value=f"v{i}", title=f"Pilihan {i}") for i in range(1, n + 1)]


def test_limits_enforced() -> None:
    Reply(text=listed(3), choices=choices(3), style="buttons")
    Reply(text=listed(10), choices=choices(10), style="list")
    with pytest.raises(ValidationError, match="do not fit"):
        Reply(text=listed(4), choices=choices(4), style="buttons")
    with pytest.raises(ValidationError, match="do not fit"):
        Reply(text=listed(11), choices=choices(11), style="list")
    with pytest.raises(ValidationError):
        Choice(value="v", title="x" * 21)
    with pytest.raises(ValidationError, match="bytes"):
        Choice(value="v" * 49, title="x")
    with pytest.raises(ValidationError, match="not listed"):
        Reply(text="Pilih salah satu", choices=choices(2))
    with pytest.raises(ValidationError, match="too long"):
        Reply(text=listed(2) + "x" * 1024, choices=choices(2))
    with pytest.raises(ValidationError, match="unique"):
        Reply(text=listed(2), choices=[Choice(value="a", title="A"), Choice(value="a", title="B")])
    AskFile(text="Kirim foto KTP", attachment_kind="ktp")


def test_long_menu_is_paged() -> None:
    prompt = Prompt("Pilih data", tuple(Option(f"k{i}", f"Data nomor {i}") for i in range(22)))
    pages = [shown(prompt, p) for p in range(3)]
    assert [len(p) for p in pages] == [9, 10, 7]  # 8 options plus navigation rows
    reply = render(prompt, 1)[0]
    assert isinstance(reply, Reply) and reply.style == "list" and "1. Data nomor 8" in reply.text
    assert resolve(Text(text="1"), prompt, 1) == "k8"
    assert resolve(Text(text="data nomor 21"), prompt, 0) == "k21"  # a name works on any page
    assert resolve(ChoiceMade(value="__next"), prompt, 0) == "__next"
    assert resolve(Command(name="x"), prompt, 0) is None


def test_long_text_split_before_the_question() -> None:
    prompt = Prompt("Ringkasan\n" + "\n".join(f"Baris {i}: " + "x" * 80 for i in range(80)),
                    (Option("ya", "Ya"), Option("tidak", "Tidak")))
    effects = render(prompt)
    assert len(effects) > 2 and all(len(e.text) <= 4096 for e in effects)
    assert effects[-1].choices and len(effects[-1].text) <= 1024 and "1. Ya" in effects[-1].text
