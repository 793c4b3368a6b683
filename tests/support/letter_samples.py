"""Letter types to test with, and plausible stored field values for any of them."""

from __future__ import annotations

from typing import Any

from flows import load_catalogue
from flows.choice_sets import CHOICE_SETS
from flows.definitions import FieldDef, LetterTypeDef
from flows.formatting import format_values
from tests.support.letters import HOLDER, LETTERHEAD, NIK

_BY_TYPE = {
    "nik": NIK, "kk": "6271030101090001", "name": HOLDER, "rt_rw": "003/010", "phone": "+6281234567890",
    "year": "2015", "number": "2",
}
_TEXT = {"tempat": "Palangka Raya", "pekerjaan": "Wiraswasta", "keperluan": "Persyaratan pengajuan beasiswa",
         "alamat": "Jl. G. Obos XII No. 15"}
_DEPENDANT_NIKS = ("6271031001150002", "6271035502180003", "6271031212200004")


def _date(field: FieldDef) -> str:
    return "1990-05-12" if "lahir" in field.name else "2026-11-01"


def _value(field: FieldDef, index: int = 0) -> str:
    if field.type == "choice":
        if field.choices:
            return field.choices[0]
        return CHOICE_SETS[field.choice_set or ""][0].value
    if field.type == "date":
        return _date(field)
    if field.type == "nik" and index:
        return _DEPENDANT_NIKS[(index - 1) % len(_DEPENDANT_NIKS)]
    if field.type == "name" and index:
        return f"ANAK KE {index}"
    if field.type == "text":
        return next((v for k, v in _TEXT.items() if k in field.name), f"Contoh {field.label}")
    return _BY_TYPE[field.type]


def stored_fields(defn: LetterTypeDef, dependants: int = 2) -> dict[str, Any]:
    fields: dict[str, Any] = {f.name: _value(f) for f in defn.fields}
    for group in defn.groups:
        count = max(group.min_items, min(dependants, group.max_items))
        fields[group.name] = [{f.name: _value(f, i) for f in group.fields} for i in range(1, count + 1)]
    return fields


def formatted(defn: LetterTypeDef, dependants: int = 2, **overrides: Any) -> tuple[
    dict[str, str], list[dict[str, str]]
]:
    return formatted_fields(defn, stored_fields(defn, dependants) | overrides)


def formatted_fields(defn: LetterTypeDef, fields: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    context = {"kelurahan": LETTERHEAD.kelurahan, "kecamatan": LETTERHEAD.kecamatan, "kota": LETTERHEAD.city}
    values = format_values(defn, fields, context)
    return dict(values), values.rows


# Edge values as residents type them: lower case, a place with its "di", each sex, no dependants,
# the choices that add or drop a sentence.
EDGE_CASES: dict[str, list[dict[str, Any]]] = {
    "kematian": [
        {"tempat_kematian": "di rumah", "sebab_kematian": "Sakit", "jenis_kelamin_almarhum": "L",
         "hubungan_dengan_almarhum": "anak", "tempat_lahir_almarhum": "kuala kurun",
         "alamat_almarhum": "jl. rajawali gg. mawar no. 3 rt 2/rw 1"},
        {"tempat_kematian": "RSUD dr. Doris Sylvanus", "sebab_kematian": "Lainnya", "jenis_kelamin_almarhum": "P",
         "hubungan_dengan_almarhum": "lainnya"},
    ],
    "kelahiran": [{"jenis_kelamin_anak": "L", "hubungan_dengan_anak": "Lainnya", "tempat_lahir_anak": "di rumah"},
                  {"jenis_kelamin_anak": "P", "tempat_lahir_anak": "rsud dr. doris sylvanus"}],
    "domisili": [{"status_tempat_tinggal": "Menumpang", "nama_pemilik_rumah": "Ma'ruf Amin", "alamat_ktp": "",
                  "alamat": "jl. tjilik riwut km 5", "pekerjaan": "buruh harian lepas"},
                 {"status_tempat_tinggal": "Milik Sendiri", "nama_pemilik_rumah": "",
                  "alamat_ktp": "jl. g. obos xii no. 15 rt 003/rw 002"}],
    "sktm": [{"tanggungan": [], "terdaftar_dtks": "Tidak", "no_dtks": "", "tempat_lahir": "palangka raya"},
             {"terdaftar_dtks": "Ya", "no_dtks": "3201234567"}],
    "sku": [{"alamat_usaha": "jl. tjilik riwut km 2,5", "nama_usaha": "warung makan berkah"}],
    "belum_menikah": [{"pekerjaan": "pns"}],
    "pengantar_skck": [{"tempat_lahir": "sampit", "pekerjaan": "pelajar/mahasiswa"}],
}
# Fields that are asked but deliberately not printed (or printed through a derived value).
NOT_PRINTED = {"no_hp", "no_kk", "rt_rw", "terdaftar_dtks", "status_tempat_tinggal"}


def edge_cases(defn: LetterTypeDef) -> list[dict[str, Any]]:
    """The stored fields of each edge case of `defn` (the sample values, changed as listed)."""
    return [stored_fields(defn) | case for case in EDGE_CASES.get(defn.code, [{}])]


def letter_types() -> list[LetterTypeDef]:
    """Every letter type of the catalogue (flows/letter_types)."""
    return list(load_catalogue())
