"""The options of the menus made from the catalogue and the kelurahan directory (letter types,
kecamatan, kelurahan): made once per letter type or directory, with their buttons, instead of at
every message."""

from __future__ import annotations

from flows.choice_sets import Option
from flows.context import Directory
from flows.definitions import LetterTypeDef
from flows.memo import per_object


@per_object
def letter_option(t: LetterTypeDef) -> Option:
    return Option(t.code, t.title, t.short_title, (t.code,))


@per_object
def kecamatan_options(directory: Directory) -> tuple[Option, ...]:
    return tuple(Option(k, k) for k in directory.kecamatan)


@per_object
def kelurahan_options(directory: Directory) -> dict[str, tuple[Option, ...]]:
    """The kelurahan of each kecamatan."""
    return {kec: tuple(Option(k.slug, k.name) for k in directory.in_kecamatan(kec)) for kec in directory.kecamatan}
