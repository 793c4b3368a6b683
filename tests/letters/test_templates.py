"""Every letter type rendered with edge values reads as Indonesian: no doubled words, the deceased
named by sex, no "0 orang", every asked answer printed (or deliberately not), capitals as on a KTP."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flows.definitions import LetterTypeDef
from flows.questions import visible
from letters.making import render_draft
from tests.support.letter_samples import NOT_PRINTED, edge_cases, formatted_fields, letter_types
from tests.support.letters import ISSUED_AT, LETTERHEAD, pdf_text

CASES = [(t, i, fields) for t in letter_types() if t.online for i, fields in enumerate(edge_cases(t))]
_DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


def _text(defn: LetterTypeDef, fields: dict[str, Any]) -> tuple[str, dict[str, str]]:
    values, rows = formatted_fields(defn, fields)
    pdf = render_draft(defn, LETTERHEAD, values, rows, ISSUED_AT.date())
    return " ".join(pdf_text(pdf).split()), values


@pytest.mark.parametrize("defn, case, fields", CASES, ids=[f"{t.code}-{i}" for t, i, _ in CASES])
def test_every_type_reads_well_with_edge_values(defn: LetterTypeDef, case: int, fields: dict[str, Any]) -> None:
    text, values = _text(defn, fields)
    assert not _DOUBLED.search(text), _DOUBLED.search(text)
    assert not re.search(r"\b0 orang", text)
    assert "(Laki-laki)" not in text and "(Perempuan)" not in text
    if fields.get("jenis_kelamin_almarhum"):
        assert "almarhum/almarhumah" not in text
    for f in defn.fields:
        if f.name in NOT_PRINTED or not visible(f, fields) or not values.get(f.name):
            continue
        assert values[f.name] in text, f"{f.name} ({values[f.name]!r}) is asked but not printed"


def test_the_deceased_and_the_child_are_named_by_sex() -> None:
    kematian, kelahiran = (next(t for t in letter_types() if t.code == c) for c in ("kematian", "kelahiran"))
    man, woman = (_text(kematian, fields)[0] for fields in edge_cases(kematian)[:2])
    assert "terhadap almarhum: Anak" in man and "di Rumah, dengan" in man
    assert "terhadap almarhumah: Lainnya" in woman and "di RSUD dr. Doris Sylvanus" in woman
    boy, girl = (_text(kelahiran, fields)[0] for fields in edge_cases(kelahiran)[:2])
    assert "seorang anak laki-laki bernama" in boy and "seorang anak perempuan bernama" in girl
    assert "di RSUD dr. Doris Sylvanus" in girl


def test_an_sktm_without_dependants_says_nothing_of_them_and_the_dtks_number_when_given() -> None:
    sktm = next(t for t in letter_types() if t.code == "sktm")
    none, dtks = (_text(sktm, fields)[0] for fields in edge_cases(sktm))
    assert "tanggungan" not in none and "DTKS" not in none
    assert "berjumlah 2 orang" in dtks and "bantuan sosial keluarga tersebut: 3201234567" in dtks


def test_the_house_owner_is_printed_when_asked() -> None:
    domisili = next(t for t in letter_types() if t.code == "domisili")
    lodger, owner = (_text(domisili, fields)[0] for fields in edge_cases(domisili))
    assert "adalah milik Ma'ruf Amin" in lodger and "adalah milik" not in owner


def test_places_addresses_and_occupations_are_capitalised() -> None:
    domisili = next(t for t in letter_types() if t.code == "domisili")
    lodger, owner = (_text(domisili, fields)[0] for fields in edge_cases(domisili))
    assert "Jl. Tjilik Riwut Km 5 RT 003 RW 010" in lodger and "Buruh Harian Lepas" in lodger
    assert "Jl. G. Obos XII No. 15 RT 003/RW 002" in owner
    skck = next(t for t in letter_types() if t.code == "pengantar_skck")
    text = _text(skck, edge_cases(skck)[0])[0]
    assert "Sampit, 12 Mei 1990" in text and "Pelajar/Mahasiswa" in text
