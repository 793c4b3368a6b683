"""The SKM index of PermenPANRB 14/2017: NRR per element, the index x 25, and the category boundaries."""

from __future__ import annotations

import pytest

from stats.skm import ASKED, BY_CODE, CODES, ELEMENTS, category, index, nrr
from stats.skm import rounded as two_decimals


def test_nine_elements_each_with_four_answers_that_fit_a_button() -> None:
    assert CODES == ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
    assert BY_CODE["u7"].name == "Perilaku pelaksana"
    assert all(len(e.scale) == 4 and all(len(label) <= 20 for label in e.scale) for e in ELEMENTS)
    assert ASKED == ("u1", "u2", "u3", "u4", "u5", "u7")  # u6, u8, u9: not observable online


def test_the_worked_example_29_respondents_955_points_over_9_elements() -> None:
    # 955 / (29 x 9) x 25 = 91.475... -> 91.48, category A. (Worksheets that round the weight 1/9 to
    # 0.111 publish 90.56 for this example; the exact value is 91.48.)
    sums = [106] * 8 + [107]
    assert sum(sums) == 955
    rows: list[dict[str, int | None]] = [{} for _ in range(29)]
    for code, total in zip(CODES, sums, strict=True):
        fours = total - 3 * 29  # 29 answers of 3 or 4 summing to `total`
        for i, row in enumerate(rows):
            row[code] = 4 if i < fours else 3
    by_element = nrr(rows)
    assert by_element["u1"] == pytest.approx(106 / 29) and by_element["u9"] == pytest.approx(107 / 29)
    value = index(by_element)
    assert value == pytest.approx(955 / (29 * 9) * 25)
    assert str(two_decimals(value)) == "91.48"
    assert category(value) == ("A", "Sangat Baik")


def test_nrr_per_element_counts_the_answers_to_that_element_only() -> None:
    rows: list[dict[str, int | None]] = [
        {"u1": 4, "u2": 3, "u3": None}, {"u1": 3, "u2": 2}, {"u1": 2, "u2": None}, {"u1": 3},
    ]
    assert nrr(rows) == {"u1": 3.0, "u2": 2.5}  # u1: 12 / 4; u2: 5 / 2; u3 nobody answered
    assert index({"u1": 3.0}) == 75.0 and category(75.0) == ("C", "Kurang Baik")
    assert index({"u1": 3.0, "u2": 2.5}) == pytest.approx(68.75)  # (3.0 + 2.5) / 2 x 25


def test_six_elements_asked_give_equal_weights_one_sixth() -> None:
    value = index(dict.fromkeys(ASKED, 3.5))
    assert value == 87.5 and category(value) == ("B", "Baik")


@pytest.mark.parametrize("value, letter, label", [
    (100, "A", "Sangat Baik"), (88.31, "A", "Sangat Baik"), (88.305, "A", "Sangat Baik"),
    (88.3049, "B", "Baik"), (88.30, "B", "Baik"), (76.61, "B", "Baik"),
    (76.60, "C", "Kurang Baik"), (65.00, "C", "Kurang Baik"),
    (64.99, "D", "Tidak Baik"), (64.994, "D", "Tidak Baik"), (25, "D", "Tidak Baik"),
])
def test_category_boundaries_on_the_value_rounded_to_two_decimals(value: float, letter: str, label: str) -> None:
    assert category(value) == (letter, label)


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        category(24.99)
    with pytest.raises(ValueError):
        category(100.01)
    with pytest.raises(ValueError):
        index({})
    with pytest.raises(ValueError):
        index({"u10": 3.0})
    with pytest.raises(ValueError):
        nrr([{"u1": 5}])
