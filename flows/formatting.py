"""Stored field values -> display strings for the letter (and for the resident's summary).

`format_values` gives every placeholder a template may use: each field (dates in Indonesian,
choices by label, "" when empty or not asked; places, addresses, occupations and business names
typed in lower case capitalised, see `capitals`), the derived names `ttl` (= "{tempat_lahir},
{tanggal_lahir}", also `ttl_<suffix>` for `tempat_lahir_<suffix>`/`tanggal_lahir_<suffix>`), `rt`,
`rw`, `alamat_lengkap` (= "{alamat} RT {rt} RW {rw}"), `kelamin_<suffix>` ("laki-laki"/"perempuan",
for a sentence, from `jenis_kelamin_<suffix>`), `almarhum` ("almarhum"/"almarhumah", or both when the
sex of the deceased is not known), `jumlah_<group>` (the number of rows; "" when none, so that a
paragraph about them is left out), and {kelurahan}, {kecamatan}, {kota} from the context. Group
rows (e.g. SKTM dependants) are in `.groups[name]`, and the rows of the template's table in `.rows`,
each row with its fields plus `no`, `ttl` and `lp` (L/P).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from flows.capitals import place, title_case
from flows.choice_sets import label_of
from flows.dates import format_date
from flows.definitions import FieldDef, LetterTypeDef

EMPTY = ""  # no value: the renderer leaves such identity rows out
CONTEXT_NAMES = ("kelurahan", "kecamatan", "kota")
ROW_NAMES = ("no",)
_PLACES = re.compile(r"^tempat_")  # "di {tempat_...}": a typed leading "di" is dropped
_CAPITALISED = re.compile(r"^(alamat|pekerjaan|nama_usaha)")
_SEX = {"L": "laki-laki", "P": "perempuan"}


class LetterValues(dict[str, str]):
    """Placeholder values of one letter; `.groups` holds formatted group rows, `.rows` the table's."""

    def __init__(self, values: dict[str, str], groups: dict[str, list[dict[str, str]]], table: str | None):
        super().__init__(values)
        self.groups = groups
        self.rows = groups.get(table, []) if table else []


def display(field: FieldDef, value: Any) -> str:
    """One stored value as shown to people."""
    if value is None or value == "":
        return EMPTY
    text = str(value)
    if field.type == "date":
        try:
            return format_date(text)
        except ValueError:
            return text
    if field.type == "choice":
        return label_of(field, text)
    if field.type == "text" and _PLACES.match(field.name):
        return place(text)
    if field.type == "text" and _CAPITALISED.match(field.name):
        return title_case(text)
    return text


def _derived(defs: Sequence[FieldDef], shown: Mapping[str, str], raw: Mapping[str, Any]) -> dict[str, str]:
    names = {f.name for f in defs}
    out: dict[str, str] = {}
    for name in names:
        if name.startswith("tempat_lahir") and "tanggal_lahir" + name[12:] in names:
            parts = [shown[name], shown["tanggal_lahir" + name[12:]]]
            out["ttl" + name[12:]] = ", ".join(p for p in parts if p)
    if "rt_rw" in names:
        rt, _, rw = str(raw.get("rt_rw") or "").partition("/")
        out["rt"], out["rw"] = rt or EMPTY, rw or EMPTY
        if "alamat" in names:
            rt_rw = f" RT {rt} RW {rw}" if rt and rw else ""
            out["alamat_lengkap"] = f"{shown['alamat']}{rt_rw}".strip()
    if "jenis_kelamin" in names:
        out["lp"] = str(raw.get("jenis_kelamin") or EMPTY)
    for name in names:
        if name.startswith("jenis_kelamin_"):
            out["kelamin" + name[13:]] = _SEX.get(str(raw.get(name) or ""), EMPTY)
    if "jenis_kelamin_almarhum" in names:
        sex = raw.get("jenis_kelamin_almarhum")
        out["almarhum"] = {"L": "almarhum", "P": "almarhumah"}.get(str(sex or ""), "almarhum/almarhumah")
    return out


def _scalars(defs: Sequence[FieldDef], raw: Mapping[str, Any]) -> dict[str, str]:
    shown = {f.name: display(f, raw.get(f.name)) for f in defs}
    return shown | _derived(defs, shown, raw)


def derived_names(defs: Sequence[FieldDef]) -> set[str]:
    """The derived placeholder names available for these fields (for catalogue checks)."""
    return set(_derived(defs, {f.name: "x" for f in defs}, {}))


def format_rows(defs: Sequence[FieldDef], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{"no": str(i)} | _scalars(defs, row) for i, row in enumerate(rows, 1)]


def format_values(letter_type: LetterTypeDef, fields: Mapping[str, Any], context: Mapping[str, Any]) -> LetterValues:
    """Display strings for every placeholder of `letter_type`'s template (see module doc)."""
    values = {name: "" for name in CONTEXT_NAMES} | {k: str(v) for k, v in context.items() if isinstance(v, str | int)}
    values |= _scalars(letter_type.fields, fields)
    groups: dict[str, list[dict[str, str]]] = {}
    for group in letter_type.groups:
        rows = fields.get(group.name)
        rows = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
        groups[group.name] = format_rows(group.fields, rows)
        values[f"jumlah_{group.name}"] = str(len(rows)) if rows else EMPTY
    table = letter_type.template.table
    return LetterValues(values, groups, table.group if table else None)
