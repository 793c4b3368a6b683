"""The options and prompts of the menus made from the catalogue and the kelurahan directory (letter
types, kecamatan, kelurahan, a letter's requirements): made once per letter type or directory, with
their buttons and their rendering (`Prompt.first_page`), instead of at every message."""

from __future__ import annotations

from flows import messages as m
from flows.choice_sets import Option
from flows.context import Directory
from flows.definitions import LetterTypeDef
from flows.memo import per_object
from flows.menus import Prompt

REQUIREMENTS_OPTIONS = (Option("lanjut", m.CONTINUE, aliases=("ya", "ok", "lanjutkan")), Option("lain", m.OTHER_LETTER))


@per_object
def letter_option(t: LetterTypeDef) -> Option:
    return Option(t.code, t.title, t.short_title, (t.code,))


@per_object
def kecamatan_options(directory: Directory) -> tuple[Option, ...]:
    return tuple(Option(k, k) for k in directory.kecamatan)


@per_object
def kecamatan_prompt(directory: Directory) -> Prompt:
    return Prompt(m.ASK_KECAMATAN, kecamatan_options(directory))


@per_object
def kelurahan_prompts(directory: Directory) -> dict[str, Prompt]:
    """The question of the kelurahan of each kecamatan."""
    return {kec: Prompt(m.ask_kelurahan(kec), tuple(Option(k.slug, k.name) for k in directory.in_kecamatan(kec)))
            for kec in directory.kecamatan}


@per_object
def requirements_prompt(t: LetterTypeDef) -> Prompt:
    return Prompt(m.requirements(t.title, t.description, t.requirements, t.sla_days, t.cost), REQUIREMENTS_OPTIONS)
