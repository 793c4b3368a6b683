"""Filling a letter type's template (`LetterTypeDef.template`) with formatted values.

The result is plain text: the renderer draws it as text, never parses it as markup,
and escapes it wherever reportlab's Paragraph markup is used, so text a resident
typed (``<b>Budi</b> & Sons``) prints literally. Placeholders are plain ``{name}``;
attribute access, indexing, conversions and format specs are refused. A value that begins with
the word just before its placeholder does not repeat it ("di {tempat}" with "di rumah" gives
"di rumah", not "di di rumah"); a statement paragraph with a placeholder that has no value is
left out (like identity rows without a value).
"""

from __future__ import annotations

import re
from string import Formatter

from flows.definitions import LetterTypeDef

DERIVED_LABELS = {"ttl": "Tempat/Tgl. Lahir", "alamat_lengkap": "Alamat"}


class TemplateError(ValueError):
    pass


def fill(text: str, values: dict[str, str]) -> str:
    """Template text with its placeholders replaced (plain text, not markup)."""
    out = []
    for literal, name, spec, conversion in Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise TemplateError(f"unsupported placeholder {{{name}}} in {text!r}")
        if name not in values:
            raise TemplateError(f"no value for {{{name}}} in {text!r}")
        out.append(_without_repeat(literal, values[name]))
    return "".join(out)


def _without_repeat(before: str, value: str) -> str:
    last = re.search(r"(\w+)\s+$", before)
    first = re.match(r"\s*(\w+)\s+", value)
    if last and first and last[1].casefold() == first[1].casefold():
        return value[first.end():]
    return value


def statement(defn: LetterTypeDef, values: dict[str, str]) -> list[str]:
    """The statement's paragraphs, filled; those with a placeholder without a value left out."""
    out = []
    for text in defn.template.statement:
        names = [name for _, name, _, _ in Formatter().parse(text) if name is not None]
        if all(values.get(name, "").strip() for name in names):
            out.append(fill(text, values))
    return out


def label_for(defn: LetterTypeDef, name: str) -> str:
    for field in defn.fields:
        if field.name == name:
            return field.label
    return DERIVED_LABELS.get(name, name.replace("_", " ").title())


def identity_rows(defn: LetterTypeDef, values: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) rows, raw text; fields without a value (not asked) are left out."""
    return [
        (label_for(defn, name), values[name])
        for name in defn.template.identity
        if values.get(name, "").strip()
    ]


def table_rows(defn: LetterTypeDef, rows: list[dict[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Header and body of the type's table (e.g. SKTM dependants), raw text, numbered
    (a "No" column is added unless the definition has a column for the field `no`)."""
    table = defn.template.table
    if table is None:
        return [], []
    header = [c.label for c in table.columns]
    body = [[row.get(c.field, "") or "-" for c in table.columns] for row in rows]
    if "no" not in {c.field for c in table.columns}:
        header = ["No", *header]
        body = [[str(i), *cells] for i, cells in enumerate(body, 1)]
    return header, body
