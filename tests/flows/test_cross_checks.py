"""Checks across answers (the letter types' `rules:`): refused at catalogue load when malformed,
and made by the engine before the summary, asking the conflicting field again in Indonesian."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows import Catalogue, CatalogueError, ChoiceMade, Text, load_catalogue
from flows.catalogue import DEFAULT_PATH, read_letter_type
from flows.cross_checks import conflicts
from tests.support.flows import ANSWERS, PROFILE, Chat, next_answer, photo

MakeChat = Callable[..., Chat]


def answer_until(chat: Chat, key: str, answers: dict[str, str] | None = None, limit: int = 80) -> None:
    """Answer with the sample answers until the question `key` is asked."""
    added = 0
    for _ in range(limit):
        if chat.state.step.value == "fill" and chat.question() == key:
            return
        action, value = next_answer(chat.catalogue, chat.state, added, 1, answers)
        assert action != "summary", f"{key} was never asked"
        added += action == "more"
        if action == "file":
            chat.send(photo(f"ref-{value}"))
        elif action in ("press", "more"):
            chat.press(value)
        else:
            chat.send(value)
    raise AssertionError(f"{key} was never asked")


def test_a_death_before_the_birth_is_asked_again_then_accepted(chat: Chat) -> None:
    chat.start()
    chat.choose_letter("kematian")
    answer_until(chat, "f:tanggal_kematian")
    chat.send("1 januari 1940")
    assert "1 Januari 1940" in chat.text and "1 Januari 1950" in chat.text and "lebih awal" in chat.text
    assert chat.question() == "f:tanggal_kematian" and chat.state.step.value == "fill"
    chat.send("15 agt 2026")
    submitted = chat.fill()
    assert submitted is not None and submitted.fields["tanggal_kematian"] == "2026-08-15"


def test_changing_the_birth_date_at_the_summary_is_checked_too(chat: Chat) -> None:
    chat.start()
    chat.choose_letter("kematian")
    chat.fill(submit=False)
    assert chat.state.step.value == "summary"
    chat.send("ubah tanggal lahir")
    chat.send("1 september 2026")
    assert chat.state.step.value == "fill" and chat.question() == "f:tanggal_kematian"
    assert "1 September 2026" in chat.text


def test_the_deceased_cannot_be_the_reporter(chat: Chat) -> None:
    chat.start()
    chat.choose_letter("kematian")
    answer_until(chat, "f:nik_almarhum")
    chat.send(ANSWERS["nik"])
    assert "NIK almarhum/almarhumah" in chat.text and "sama dengan NIK Anda" in chat.text
    assert chat.question() == "f:nik_almarhum"
    chat.press("__keep")  # keeping it is asked again
    assert chat.question() == "f:nik_almarhum" and "sama dengan NIK Anda" in chat.text


@pytest.mark.parametrize("code", ["sktm", "kelahiran", "belum_menikah"])
def test_a_kk_number_equal_to_the_nik_is_asked_again(chat: Chat, code: str) -> None:
    chat.start()
    chat.choose_letter(code)
    answer_until(chat, "f:no_kk")
    chat.send(ANSWERS["nik"])
    assert "sama dengan NIK Anda" in chat.text
    assert chat.question() == "f:no_kk"
    chat.send(ANSWERS["no_kk"])
    assert chat.question() != "f:no_kk"


def test_once_married_belum_kawin_is_refused(make_chat: MakeChat) -> None:
    chat = make_chat(profile={**PROFILE, "status_perkawinan": "cerai_hidup"})
    chat.start()
    chat.choose_letter("sku")
    chat.press("tidak")  # not the saved data: typed again
    answer_until(chat, "f:status_perkawinan")
    chat.send("belum kawin")
    assert "tercatat Cerai Hidup" in chat.text and "Belum Kawin" in chat.text
    assert chat.question() == "f:status_perkawinan"
    chat.send("cerai hidup")
    assert chat.question() != "f:status_perkawinan"


@pytest.mark.parametrize("status", ["kawin", "cerai_hidup", "cerai_mati"])
def test_belum_menikah_is_not_offered_to_a_resident_who_has_married(make_chat: MakeChat, status: str) -> None:
    chat = make_chat(profile={**PROFILE, "status_perkawinan": status})
    chat.start()
    assert chat.state.step.value == "letter" and "Belum Menikah" not in chat.text  # not in the menu
    assert "belum_menikah" not in chat.values
    for asked in (Text(text="belum menikah"), ChoiceMade(value="belum_menikah")):  # typed; an old menu's button
        chat.send(asked)
        assert chat.state.step.value == "letter" and chat.state.draft.letter_type is None
        assert "hanya untuk warga yang belum pernah menikah" in chat.text
    chat.choose_letter("sktm")  # another letter goes on, with the answers kept
    assert chat.state.step.value in ("profile", "fill")


@pytest.mark.parametrize("status", ["kawin", "cerai_hidup", "cerai_mati"])
def test_belum_kawin_is_not_offered_once_married(make_chat: MakeChat, status: str) -> None:
    chat = make_chat(profile={**PROFILE, "status_perkawinan": status})
    chat.start()
    chat.choose_letter("sku")
    chat.press("tidak")  # not the saved data: typed again
    answer_until(chat, "f:status_perkawinan")
    offered = chat.values
    assert "belum_kawin" not in offered and {"kawin", "cerai_hidup", "cerai_mati"} <= set(offered)
    assert "Belum Kawin" not in chat.text


def test_belum_menikah_for_a_resident_never_married(make_chat: MakeChat) -> None:
    chat = make_chat(profile={**PROFILE, "status_perkawinan": "belum_kawin"})
    chat.start()
    chat.choose_letter("belum_menikah")
    assert chat.fill() is not None


def test_a_birth_after_the_day_of_the_letter(catalogue: Catalogue) -> None:
    found = conflicts(catalogue["kelahiran"], {"tanggal_lahir_anak": "2026-11-23"}, {}, date(2026, 11, 22))
    assert [c.ask for c in found] == ["tanggal_lahir_anak"] and "23 November 2026" in found[0].message
    assert not conflicts(catalogue["kelahiran"], {"tanggal_lahir_anak": "2026-11-22"}, {}, date(2026, 11, 22))


def test_a_year_is_compared_with_a_birth_date_by_year(catalogue: Catalogue) -> None:
    sku = catalogue["sku"]
    assert [c.ask for c in conflicts(sku, {"tanggal_lahir": "1990-07-05", "sejak": "1989"}, {}, date(2026, 1, 1))] \
        == ["sejak"]
    assert not conflicts(sku, {"tanggal_lahir": "1990-07-05", "sejak": "1990"}, {}, date(2026, 1, 1))


def _with_rule(tmp_path: Path, rule: dict[str, Any]) -> Path:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    data = read_letter_type(folder / "kematian.yaml").data
    data["rules"] = [rule]
    (folder / "kematian.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


@pytest.mark.parametrize("rule, where", [
    ({"kind": "date_order", "fields": ["tanggal_lahir_almarhum", "tanggal_wafat"], "message": "x"},
     "rules[0].fields"),
    ({"kind": "date_order", "fields": ["tanggal_lahir_almarhum"], "message": "x"}, "rules[0].fields"),
    ({"kind": "date_order", "fields": ["nama", "tanggal_kematian"], "message": "x"}, "rules[0].fields"),
    ({"kind": "sebelum", "fields": ["tanggal_lahir_almarhum", "tanggal_kematian"], "message": "x"}, "rules[0].kind"),
    ({"kind": "not_equal", "fields": ["nik", "nik_almarhum"], "message": "x", "ask": "nama"}, "rules[0].ask"),
    ({"kind": "not_equal", "fields": ["nik", "nik_almarhum"], "message": "{nama} x"}, "rules[0].message"),
    ({"kind": "not_equal", "fields": ["nik", "nik_almarhum"], "message": "x", "after": {"a": ["b"]}},
     "rules[0].after"),
    ({"kind": "allowed_after", "fields": ["sebab_kematian"], "message": "x", "after": {"Sakit": ["Jatuh"]}},
     "rules[0].after"),
    ({"kind": "allowed_after", "fields": ["sebab_kematian"], "message": "x"}, "rules[0].after"),
    ({"kind": "not_equal", "fields": ["nik", "nik_almarhum"], "message": "x", "warna": "merah"}, "rules[0].warna"),
])
def test_a_malformed_rule_is_refused_at_load(tmp_path: Path, rule: dict[str, Any], where: str) -> None:
    with pytest.raises(CatalogueError) as err:
        load_catalogue(_with_rule(tmp_path, rule))
    assert err.value.file.endswith("kematian.yaml") and err.value.field == where, str(err.value)
