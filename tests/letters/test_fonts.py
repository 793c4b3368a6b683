"""A letter for every name: names with diacritics print as typed (the text extracted from the PDF equals the
input), in Liberation Serif when the standard fonts lack a letter; a name in a script the fonts lack is
refused at input with a message; the engine's coverage table matches the shipped font files; an SKTM with no
dependants says nothing about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.font_coverage import RANGES
from flows.validators import FieldError, validate_name, validate_text
from letters.fonts import letter_code_points
from tests.support.letter_samples import formatted, letter_types
from tests.support.letters import letter_spec, make_kit, pdf_text

SKTM = next(t for t in letter_types() if t.code == "sktm")


def ranges_of(points: set[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for c in sorted(points):
        if out and c == out[-1][1] + 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return [(a, b) for a, b in out]


def test_the_engines_coverage_table_matches_the_font_files() -> None:
    assert list(RANGES) == ranges_of(letter_code_points())


@pytest.mark.parametrize(("name", "embedded"), [("Ni Luh Ayu Dewi", False), ("Zoë Élodie Müller", False),
                                               ("Łukasz Ńowak", True)])
def test_every_character_of_the_name_is_printed(tmp_path: Path, name: str, embedded: bool) -> None:
    assert validate_name(name) == name
    kit = make_kit(tmp_path)
    values, rows = formatted(SKTM, nama=name)
    pdf = kit.maker.make(letter_spec(SKTM, values, rows, "400.12.2.2/031/BT/XI/2026")).pdf_bytes
    text = pdf_text(pdf)
    assert name in text, text[:400]
    assert (b"LiberationSerif" in pdf) is embedded  # the standard fonts when they have every letter
    assert b"Times" not in pdf or not embedded


@pytest.mark.parametrize("name", ["محمد", "Ahmad محمد", "王小明", "Ni Luh ᬅᬬᬸ"])
def test_a_name_the_fonts_cannot_print_is_refused_with_a_message(name: str) -> None:
    with pytest.raises(FieldError) as refused:
        validate_name(name)
    assert "huruf Latin" in str(refused.value) and "tidak dapat dicetak" in str(refused.value)


def test_free_text_printed_on_the_letter_is_checked_too() -> None:
    assert validate_text("Jl. Tjilik Riwut Km. 5, Łódź") == "Jl. Tjilik Riwut Km. 5, Łódź"
    with pytest.raises(FieldError, match="huruf Latin"):
        validate_text("Jalan مسجد")


def test_an_sktm_without_dependants_says_nothing_about_them(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    values, rows = formatted(SKTM, dependants=0)
    none = pdf_text(kit.maker.make(letter_spec(SKTM, values, rows, "400.12.2.2/032/BT/XI/2026")).pdf_bytes)
    values, rows = formatted(SKTM, dependants=2)
    two = pdf_text(kit.maker.make(letter_spec(SKTM, values, rows, "400.12.2.2/033/BT/XI/2026")).pdf_bytes)
    assert "0 orang" not in none and "tanggungan" not in none.lower() and "Hubungan" not in none
    assert "2 orang" in " ".join(two.split()) and "Hubungan" in two
