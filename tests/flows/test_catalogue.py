"""The letter type files: all load, broken ones are reported by file and field, values format for letters."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
import yaml

from flows import Catalogue, CatalogueError, format_values, load_catalogue
from flows.catalogue import DEFAULT_PATH, read_letter_type
from flows.choice_sets import options_for
from flows.effects import MAX_VALUE_BYTES

CODES = {"sktm", "sku", "domisili", "pengantar_skck", "belum_menikah", "kelahiran", "kematian", "ahli_waris"}
IDENTITY = ["nama", "nik", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "agama", "pekerjaan",
            "kewarganegaraan", "alamat", "rt_rw"]


def test_every_file_loads(catalogue: Catalogue) -> None:
    assert set(catalogue.codes) == CODES
    assert len(list(DEFAULT_PATH.glob("*.yaml"))) == len(catalogue)
    assert catalogue.codes[0] == "sktm"
    assert len(catalogue) <= 10  # one list message


def test_consistent_field_names(catalogue: Catalogue) -> None:
    """The same names (and types) everywhere, so that the saved profile fits every letter."""
    kinds: dict[str, tuple[str, tuple[str, ...]]] = {}
    for t in catalogue:
        for f in t.fields:
            kind = (f.type, tuple(o.value for o in options_for(f)))
            assert kinds.setdefault(f.name, kind) == kind, (t.code, f.name)
    for code in ("sktm", "sku", "domisili", "pengantar_skck"):
        names = [f.name for f in catalogue[code].fields]
        assert set(IDENTITY + ["status_perkawinan", "no_kk", "no_hp", "keperluan"]) <= set(names), code


def test_sktm_and_sku_fields(catalogue: Catalogue) -> None:
    sktm = catalogue["sktm"]
    names = {f.name for f in sktm.fields}
    assert {"no_pengantar_rt", "tanggal_pengantar_rt", "no_dtks", "keperluan"} <= names
    assert not next(f for f in sktm.fields if f.name == "no_dtks").required
    assert [g.name for g in sktm.groups] == ["tanggungan"]
    assert sktm.template.table is not None and sktm.template.table.group == "tanggungan"
    assert sktm.classification_code == "400.12.2.2"
    sku = {f.name for f in catalogue["sku"].fields}
    assert {"no_kk", "nama_usaha", "jenis_usaha", "alamat_usaha", "sejak", "keperluan"} <= sku
    assert {a.kind for a in catalogue["sku"].attachments} == {"pengantar_rt_rw", "ktp", "kk"}


def test_ahli_waris_needs_a_visit(catalogue: Catalogue) -> None:
    t = catalogue["ahli_waris"]
    assert not t.online and t.visit_note and t.requirements


def test_button_titles_fit(catalogue: Catalogue) -> None:
    for t in catalogue:
        assert len(t.short_title) <= 20
        for f in [*t.fields, *(f for g in t.groups for f in g.fields)]:
            for o in options_for(f):
                assert len(o.button) <= 20 and len(o.value.encode()) <= MAX_VALUE_BYTES


def test_templates_use_known_placeholders(catalogue: Catalogue) -> None:
    """Every placeholder of every template has a value from format_values."""
    for t in catalogue:
        places = {"kelurahan": "Bukit Tunggal", "kecamatan": "Jekan Raya", "kota": "Palangka Raya"}
        values = format_values(t, {}, places)
        for text in [t.template.title, t.template.opening, t.template.closing, *t.template.statement]:
            for _, name, _, _ in Formatter().parse(text):
                assert name is None or name in values, (t.code, name)
            text.format_map(values)
        assert all(name in values for name in t.template.identity)


Change = Callable[[dict[str, Any]], None]
KeyPath = list[str | int]  # keys and indexes from a letter type's top level down to one value


def _broken(tmp_path: Path, code: str, change: Change) -> Path:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    data = read_letter_type(folder / f"{code}.yaml").data  # with its includes written out
    change(data)
    (folder / f"{code}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


def _set(path: KeyPath, value: object) -> Change:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


@pytest.mark.parametrize("code, path, value, field", [
    ("sktm", ["fields", 1, "type"], "nomor", "fields[1](nik).type"),
    ("sku", ["fields", 0, "label"], KeyError, "fields[0](nama).label"),
    ("sku", ["fields", 0, "warna"], "merah", "fields[0](nama).warna"),
    ("domisili", ["short_title"], "Surat Keterangan Domisili Lengkap", "short_title"),
    ("sktm", ["groups", 0, "fields", 1, "type"], "nomor", "groups[0](tanggungan).fields[1](nik).type"),
    ("sktm", ["fields", 4, "choice_set"], "suku", "fields[4](jenis_kelamin).choice_set"),
    ("sktm", ["fields", 16, "condition", "field"], "tidak_ada", "fields[16](no_dtks).condition.field"),
    ("sktm", ["fields", 16, "condition", "in"], ["Mungkin"], "fields[16](no_dtks).condition.in"),
    ("sktm", ["fields", 1, "name"], "nama", "fields[1](nama).name"),
    ("sktm", ["template", "statement", 0], "Penduduk {kelurahan_x}.", "template.statement[0]"),
    ("sktm", ["template", "identity", 0], "nama_lengkap", "template.identity[0]"),
    ("sktm", ["template", "table", "columns", 0, "field"], "umur", "template.table.columns[0].field"),
    ("kematian", ["code"], "kematian2", "code"),
    ("ahli_waris", ["visit_note"], None, "visit_note"),
    ("sku", ["template", "purpose_field"], "tujuan", "template.purpose_field"),
    ("sku", ["attachments", 0, "kind"], "foto_usaha", "attachments[0].kind"),
])
def test_broken_file_names_file_and_field(tmp_path: Path, code: str, path: KeyPath, value: object, field: str) -> None:
    folder = _broken(tmp_path, code, _set(path, value))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(folder)
    assert err.value.file.endswith(f"{code}.yaml")
    assert err.value.field == field
    assert f"{code}.yaml: {field}: " in str(err.value)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    (folder / "sku.yaml").write_text("code: sku\nfields: [\n")
    with pytest.raises(CatalogueError, match=r"sku\.yaml: \(yaml\)"):
        load_catalogue(folder)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no letter type files"):
        load_catalogue(tmp_path)


def test_format_values_sktm(catalogue: Catalogue) -> None:
    fields = {
        "nama": "Siti Aminah", "nik": "6271034507900001", "tempat_lahir": "Palangka Raya",
        "tanggal_lahir": "1990-07-05", "jenis_kelamin": "P", "agama": "islam", "status_perkawinan": "cerai_mati",
        "pekerjaan": "Wiraswasta", "kewarganegaraan": "WNI", "alamat": "Jl. G. Obos XII No. 5", "rt_rw": "003/005",
        "no_kk": "6271032011150004", "no_hp": "+6281234567890", "no_pengantar_rt": "012/RT.03/XI/2026",
        "tanggal_pengantar_rt": "2026-11-20", "terdaftar_dtks": "Tidak", "no_dtks": "", "keperluan": "Beasiswa",
        "tanggungan": [{"nama": "Budi", "nik": "6271031203120002", "jenis_kelamin": "L",
                        "tempat_lahir": "Palangka Raya", "tanggal_lahir": "2012-03-12", "hubungan": "anak"}],
    }
    ctx = {"kelurahan": "Bukit Tunggal", "kecamatan": "Jekan Raya", "kota": "Palangka Raya"}
    v = format_values(catalogue["sktm"], fields, ctx)
    assert v["ttl"] == "Palangka Raya, 5 Juli 1990"
    assert v["alamat_lengkap"] == "Jl. G. Obos XII No. 5 RT 003 RW 005"
    assert (v["rt"], v["rw"]) == ("003", "005")
    assert v["jenis_kelamin"] == "Perempuan" and v["agama"] == "Islam" and v["status_perkawinan"] == "Cerai Mati"
    assert v["tanggal_pengantar_rt"] == "20 November 2026"
    assert v["no_dtks"] == "" and v["jumlah_tanggungan"] == "1"
    assert v["kelurahan"] == "Bukit Tunggal" and v["kota"] == "Palangka Raya"
    assert all(isinstance(x, str) for x in v.values())
    assert v.rows == v.groups["tanggungan"] == [{
        "no": "1", "nama": "Budi", "nik": "6271031203120002", "jenis_kelamin": "Laki-laki", "lp": "L",
        "tempat_lahir": "Palangka Raya", "tanggal_lahir": "12 Maret 2012", "ttl": "Palangka Raya, 12 Maret 2012",
        "hubungan": "Anak",
    }]
    statement = catalogue["sktm"].template.statement[0].format_map(v)
    assert "Nomor 012/RT.03/XI/2026 tanggal 20 November 2026" in statement


def test_format_values_derived_with_suffix(catalogue: Catalogue) -> None:
    v = format_values(catalogue["kematian"], {"tempat_lahir_almarhum": "Banjarmasin",
                                              "tanggal_lahir_almarhum": "1950-01-01", "sebab_kematian": "Sakit"}, {})
    assert v["ttl_almarhum"] == "Banjarmasin, 1 Januari 1950"
    assert v["sebab_kematian"] == "Sakit" and v["nama"] == "" and v["alamat_lengkap"] == ""
    assert v.rows == []
