"""A specimen letter for the desk's setup page: the kelurahan's letterhead, signatory and coat of arms as
they are now, on a letter of sample data marked CONTOH, watermarked DRAF, with no number and no QR
(`letters.making.render_draft`). Nothing is stored; it seals nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from db.models import Kelurahan
from flows import Catalogue, format_values
from flows.choice_sets import CHOICE_SETS
from flows.definitions import FieldDef, LetterTypeDef
from letters.maker import letterhead_for
from letters.making import render_draft

SPECIMEN_TYPE = "domisili"  # a short letter; else the catalogue's first
NAME = "NAMA CONTOH WARGA"
BY_TYPE = {"nik": "6271000000000000", "kk": "6271000000000000", "name": NAME, "rt_rw": "001/001",
           "phone": "+620000000000", "year": "2020", "number": "1"}


def _value(field: FieldDef) -> str:
    if field.type == "choice":
        return field.choices[0] if field.choices else CHOICE_SETS[field.choice_set or ""][0].value
    if field.type == "date":
        return "1990-01-01" if "lahir" in field.name else "2026-01-01"
    if field.type == "text":
        return f"Contoh {field.label}"[:60]
    return BY_TYPE[field.type]


def specimen_type(catalogue: Catalogue) -> LetterTypeDef:
    return catalogue.get(SPECIMEN_TYPE) or catalogue.types[0]


def specimen_pdf(catalogue: Catalogue, kel: Kelurahan, city: str, on: date, paper: str = "A4",
                 logo: Path | None = None) -> bytes:
    """The specimen letter of kelurahan `kel` (its unsaved values too, if the caller set them on the row)."""
    defn = specimen_type(catalogue)
    fields: dict[str, Any] = {f.name: _value(f) for f in defn.fields}
    for group in defn.groups:
        fields[group.name] = [{f.name: _value(f) for f in group.fields} for _ in range(group.min_items)]
    values = format_values(defn, fields, {"kelurahan": kel.name, "kecamatan": kel.kecamatan, "kota": city})
    return render_draft(defn, letterhead_for(kel, city, logo=logo), dict(values), values.rows, on, paper)
