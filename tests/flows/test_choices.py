"""Choice answers (issue #11): an ambiguous answer asks which, synonyms come from the letter types' data,
and an answer that names an option and says more keeps the detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import Text
from flows.choice_sets import options_for
from flows.choices import pick
from flows.definitions import FieldDef
from flows.menus import Prompt
from tests.support.flows import next_answer


def _at(make_chat: Callable[..., Any], code: str, key: str) -> Any:
    chat = make_chat()
    chat.start()
    chat.choose_letter(code)
    while chat.question() != key:
        chat.send(next_answer(chat.catalogue, chat.state, 0, 0)[1])
    return chat


@pytest.mark.parametrize("typed", ["cerai", "Cerai", "janda", "duda"])
def test_an_ambiguous_choice_asks_which(make_chat: Callable[..., Any], typed: str) -> None:
    chat = _at(make_chat, "sku", "f:status_perkawinan")
    chat.send(typed)
    assert "status_perkawinan" not in chat.state.draft.fields
    assert "yang mana: Cerai Hidup atau Cerai Mati?" in chat.text and chat.question() == "f:status_perkawinan"
    chat.send("cerai mati")
    assert chat.state.draft.fields["status_perkawinan"] == "cerai_mati"


@pytest.mark.parametrize("code, key, typed, value", [
    ("kelahiran", "f:hubungan_dengan_anak", "bapaknya", "Ayah"),
    ("kelahiran", "f:hubungan_dengan_anak", "ayahnya", "Ayah"),
    ("kelahiran", "f:hubungan_dengan_anak", "bapak", "Ayah"),
    ("kelahiran", "f:hubungan_dengan_anak", "ibunya", "Ibu"),
    ("kelahiran", "f:hubungan_dengan_anak", "mamak", "Ibu"),
    ("kematian", "f:hubungan_dengan_almarhum", "bapaknya", "orang_tua"),
    ("kematian", "f:hubungan_dengan_almarhum", "ibunya", "orang_tua"),
    ("kematian", "f:sebab_kematian", "sakit jantung", "Sakit"),
    ("kematian", "f:sebab_kematian", "sudah tua", "Lanjut usia"),
    ("sku", "f:status_perkawinan", "janda cerai", "cerai_hidup"),
])
def test_synonyms_and_an_answer_that_says_more(make_chat: Callable[..., Any], code: str, key: str, typed: str,
                                               value: str) -> None:
    chat = _at(make_chat, code, key)
    chat.send(typed)
    assert chat.state.draft.fields[key[2:]] == value, chat.text


def test_the_detail_is_kept_when_the_field_has_a_detail_field() -> None:
    f = FieldDef(name="sebab", label="Sebab", prompt="?", type="choice", choices=["Sakit", "Kecelakaan", "Lainnya"],
                 synonyms={"Kecelakaan": ["tabrakan"]}, detail="keterangan_sebab")
    prompt = Prompt("?", options_for(f))
    picked = pick(Text(text="Sakit  jantung"), prompt)
    assert (picked.value, picked.detail) == ("Sakit", "Sakit jantung")
    assert pick(Text(text="tabrakan"), prompt).value == "Kecelakaan"
    assert pick(Text(text="sakit"), prompt).detail is None


def test_synonyms_must_name_choices() -> None:
    with pytest.raises(ValueError, match="unknown choices"):
        FieldDef(name="x", label="X", prompt="?", type="choice", choices=["A"], synonyms={"B": ["b"]})
