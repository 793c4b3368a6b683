"""The catalogue of letter types: one YAML file per type in `flows/letter_types/`, checked at load.

A type may include shared field definitions from `letter_types/_fragments/` (see `fragments`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from flows.catalogue_checks import check_letter_type
from flows.definitions import LetterTypeDef
from flows.fragments import Expanded, FragmentError, Fragments

DEFAULT_PATH = Path(__file__).parent / "letter_types"


class CatalogueError(ValueError):
    """A letter type file that cannot be used; names the file and the field."""

    def __init__(self, file: str | Path, field: str, message: str):
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{self.file}: {field}: {message}")


class Catalogue:
    """Letter types in menu order; look one up by code with `get` or `catalogue[code]`."""

    def __init__(self, types: Iterable[LetterTypeDef]):
        self.types: list[LetterTypeDef] = sorted(types, key=lambda t: (t.menu_order, t.code))
        self._by_code = {t.code: t for t in self.types}

    def get(self, code: str | None) -> LetterTypeDef | None:
        return self._by_code.get(code) if code else None

    def __getitem__(self, code: str) -> LetterTypeDef:
        return self._by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[LetterTypeDef]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.types]


def _loc(data: object, loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a path, with field names: fields[2](nik).type"""
    out, node = "", data
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        node = _child(node, part)
        if isinstance(part, int) and isinstance(node, dict) and "name" in node:
            out += f"({node['name']})"
    return out or "(file)"


def _child(node: object, part: int | str) -> object:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def read_letter_type(file: Path, fragments: Fragments | None = None) -> Expanded:
    """The data of a letter type file with its includes expanded (what is validated)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise CatalogueError(file, "(yaml)", str(e).replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise CatalogueError(file, "(file)", "expected a mapping of letter type fields")
    try:
        return (fragments or Fragments(file.parent)).expand(data)
    except FragmentError as e:
        raise CatalogueError(file, e.where, e.message) from None


def load_letter_type(file: Path, fragments: Fragments | None = None) -> LetterTypeDef:
    expanded = read_letter_type(file, fragments)
    data = expanded.data
    try:
        letter = LetterTypeDef.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = _loc(data, first["loc"])
        raise CatalogueError(file, where, first["msg"] + expanded.note(where)) from None
    if letter.code != file.stem:
        raise CatalogueError(file, "code", f"must equal the file name ({file.stem!r}), got {letter.code!r}")
    problem = check_letter_type(letter)
    if problem is not None:
        where, message = problem
        raise CatalogueError(file, where, message + expanded.note(where))
    return letter


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Every `*.yaml` letter type in `path` (default: the package's `letter_types/`), validated."""
    folder = Path(path) if path is not None else DEFAULT_PATH
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CatalogueError(folder, "(folder)", "no letter type files (*.yaml)")
    fragments = Fragments(folder)
    return Catalogue(load_letter_type(f, fragments) for f in files)
