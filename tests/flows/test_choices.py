"""Choice answers (issue #11): an ambiguous answer asks which, synonyms come from the letter types' data,
and an answer that names an option and says more keeps the detail."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows import CatalogueError, Text, load_catalogue
from flows.catalogue import DEFAULT_PATH
from flows.choice_sets import options_for
from flows.choices import pick
from flows.definitions import FieldDef
from flows.menus import Prompt
from letters.template import statement
from tests.support.flows import ANSWERS, next_answer


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


def test_a_cause_typed_with_more_words_is_printed_and_not_asked_again(make_chat: Callable[..., Any]) -> None:
    chat = _at(make_chat, "kematian", "f:sebab_kematian")
    chat.send("sakit jantung")
    fields = chat.state.draft.fields
    assert (fields["sebab_kematian"], fields["keterangan_sebab"]) == ("Sakit", "sakit jantung")
    assert chat.question() == "f:keperluan"  # the keterangan was given with the cause
    letter = chat.catalogue["kematian"]
    assert "Keterangan sebab kematian: sakit jantung." in statement(letter, {**ANSWERS, **fields})


def test_a_bare_cause_asks_the_optional_keterangan_and_another_cause_drops_it(make_chat: Callable[..., Any]) -> None:
    chat = _at(make_chat, "kematian", "f:sebab_kematian")
    chat.press("Sakit")
    assert chat.question() == "f:keterangan_sebab" and "lewati" in chat.text.casefold()
    chat.send("lewati")
    letter = chat.catalogue["kematian"]
    assert not any("Keterangan sebab" in p for p in statement(letter, {**ANSWERS, **chat.state.draft.fields}))
    chat.state.draft.fields["keterangan_sebab"] = "kanker"
    chat.state.draft.editing = ["f:sebab_kematian"]
    chat.send("lanjut usia")
    assert chat.state.draft.fields["sebab_kematian"] == "Lanjut usia"
    assert "keterangan_sebab" not in chat.state.draft.fields  # not asked for Lanjut usia, and not printed


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


@pytest.mark.parametrize("detail_field", [None, {"type": "text", "required": True},
                                          {"type": "date", "required": False}])
def test_a_detail_must_name_an_optional_text_field(tmp_path: Path, detail_field: dict[str, object] | None) -> None:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    path = folder / "kematian.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = [f for f in data["fields"] if f.get("name") != "keterangan_sebab"]
    if detail_field is not None:
        fields.append({"name": "keterangan_sebab", "label": "Ket", "prompt": "?", **detail_field})
    data["fields"] = fields
    data["template"]["statement"] = data["template"]["statement"][:2]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(folder)
    assert err.value.field.endswith("(sebab_kematian).detail"), err.value
    assert "optional text field" in err.value.message
