"""Letter types include shared field definitions (`_fragments/`): the expanded types are exactly what
they were when every file spelled its fields out, and a broken include names the file and the fragment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from flows import Catalogue, CatalogueError, load_catalogue
from flows.catalogue import DEFAULT_PATH

SNAPSHOT = Path(__file__).parent / "letter_type_fields.json"  # every type's fields before the fragments


def test_expanded_fields_equal_the_snapshot(catalogue: Catalogue) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert set(expected) == set(catalogue.codes)
    for t in catalogue:
        fields = [f.model_dump(mode="json", by_alias=True) for f in t.fields]
        groups = [g.model_dump(mode="json", by_alias=True) for g in t.groups]
        assert [f["name"] for f in fields] == [f["name"] for f in expected[t.code]["fields"]], t.code
        assert fields == expected[t.code]["fields"], t.code
        assert groups == expected[t.code]["groups"], t.code


def test_types_use_the_identity_fragment() -> None:
    uses = [f.stem for f in DEFAULT_PATH.glob("*.yaml") if "include: identitas" in f.read_text(encoding="utf-8")]
    assert len(uses) == 7
    assert not any("\n  - name: nik\n" in (DEFAULT_PATH / f"{code}.yaml").read_text() for code in uses)  # not copied


def _with_fields(tmp_path: Path, fields: list[object], fragment: str | None = None) -> Path:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    data = yaml.safe_load((folder / "sku.yaml").read_text(encoding="utf-8"))
    data["fields"] = fields + data["fields"][1:]  # sku's own fields after the include
    (folder / "sku.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    if fragment is not None:
        (folder / "_fragments" / "identitas.yaml").write_text(fragment, encoding="utf-8")
    return folder


def test_only_except_and_override(tmp_path: Path) -> None:
    folder = _with_fields(tmp_path, [
        {"include": "identitas", "only": ["nama", "nik", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"]},
        {"include": "identitas", "except": ["nama", "nik", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"],
         "override": {"pekerjaan": {"prompt": "Apa pekerjaan utama Anda?", "required": False}}},
    ])
    sku = load_catalogue(folder)["sku"]
    before = load_catalogue()["sku"]
    assert [f.name for f in sku.fields] == [f.name for f in before.fields]
    pekerjaan = next(f for f in sku.fields if f.name == "pekerjaan")
    assert pekerjaan.prompt == "Apa pekerjaan utama Anda?" and not pekerjaan.required
    assert next(f for f in before.fields if f.name == "pekerjaan").required


@pytest.mark.parametrize("fields, fragment, where, words", [
    ([{"include": "biodata"}], None, "fields[0](include biodata)", ["unknown fragment 'biodata'", "biodata.yaml"]),
    ([{"include": "identitas", "only": ["nama", "golongan_darah"]}], None, "fields[0](include identitas)",
     ["golongan_darah", "identitas.yaml"]),
    ([{"include": "identitas", "override": {"hobi": {"prompt": "?"}}}], None, "fields[0](include identitas)",
     ["override", "hobi"]),
    ([{"include": "identitas", "kecuali": ["nama"]}], None, "fields[0](include identitas)", ["kecuali"]),
    # a broken fragment file: reported at the first type (by file name) that includes it
    ([{"include": "identitas"}], "fields: [\n", "fields[0](include identitas)", ["not valid YAML", "identitas.yaml"]),
    ([{"include": "identitas"}], "nama: Nama\n", "fields[0](include identitas)", ["needs `fields:`"]),
])
def test_broken_include_names_file_and_fragment(tmp_path: Path, fields: list[object], fragment: str | None,
                                                where: str, words: list[str]) -> None:
    with pytest.raises(CatalogueError) as err:
        load_catalogue(_with_fields(tmp_path, fields, fragment))
    assert err.value.file.endswith("belum_menikah.yaml" if fragment else "sku.yaml") and err.value.field == where
    assert all(w in err.value.message for w in words), err.value.message


def test_broken_field_in_a_fragment_names_the_fragment(tmp_path: Path) -> None:
    folder = tmp_path / "types"
    shutil.copytree(DEFAULT_PATH, folder)
    fragment = folder / "_fragments" / "identitas.yaml"
    fragment.write_text(fragment.read_text(encoding="utf-8").replace("type: nik", "type: nomor"), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(folder)
    assert err.value.field == "fields[1](nik).type"
    assert "fragment 'identitas'" in err.value.message
