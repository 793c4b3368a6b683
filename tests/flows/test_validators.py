"""Validators with real-world inputs, valid and invalid."""

from __future__ import annotations

from datetime import date

import pytest

from flows.definitions import FieldDef
from flows.nik import PROVINCES, identity_problems, parse_nik
from flows.validators import (
    FieldError,
    validate,
    validate_choice,
    validate_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_number,
    validate_phone,
    validate_rt_rw,
    validate_text,
    validate_upload,
    validate_year,
)
from tests.support.flows import UPLOAD_MAX_BYTES

TODAY = date(2026, 11, 22)


def field(type_: str, **kw: object) -> FieldDef:
    return FieldDef(name=kw.pop("name", "x"), label="X", prompt="?", type=type_, **kw)


def test_woman_born_5_july_1990() -> None:
    nik, info = parse_nik("6271034507900001")
    assert nik == "6271034507900001"
    assert (info.province, info.regency, info.district) == ("62", "71", "03")
    assert (info.day, info.month, info.year2, info.female, info.serial) == (5, 7, 90, True, "0001")


@pytest.mark.parametrize("raw, expected", [
    ("6271034507900001", "6271034507900001"),
    ("6271 0345 0790 0001", "6271034507900001"),
    ("6271.03.450790.0001", "6271034507900001"),
    ("3174011708450003", "3174011708450003"),  # Jakarta, man born 17-08-1945
    ("9601012902000001", "9601012902000001"),  # Papua Barat Daya; 29 Feb 2000
    ("1101017112990001", "1101017112990001"),  # woman born 31-12-1999 (71 = 31 + 40)
])
def test_nik_valid(raw: str, expected: str) -> None:
    assert validate_nik(raw) == expected


@pytest.mark.parametrize("raw, fragment", [
    ("6271031713900001", "Bulan lahir"),  # month 13
    ("0071034507900001", "Kode provinsi"),  # province 00
    ("2071034507900001", "Kode provinsi"),  # no province 20
    ("6200034507900001", "kabupaten"),
    ("6271004507900001", "kecamatan"),
    ("6271033507900001", "Tanggal lahir"),  # day 35: neither a man's nor a woman's day
    ("6271037207900001", "Tanggal lahir"),  # day 72
    ("6271033102900001", "Tanggal lahir"),  # 31 February
    ("6271032902010001", "Tanggal lahir"),  # 29 Feb 1901 and 2001: no leap year
    ("6271034507900000", "urut"),
    ("627103450790001", "16 digit"),
    ("62710345079000011", "16 digit"),
    ("6271O34507900001", "angka"),
    ("", "angka"),
])
def test_nik_invalid(raw: str, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        validate_nik(raw)


def test_province_table() -> None:
    assert len(PROVINCES) == 38
    assert {"11", "31", "62", "91", "96"} <= set(PROVINCES)
    assert all(11 <= int(code) <= 96 for code in PROVINCES)


@pytest.mark.parametrize("name, value, known, fragment", [
    ("jenis_kelamin", "L", {"nik": "6271034507900001"}, "perempuan"),
    ("nik", "6271034507900001", {"jenis_kelamin": "L"}, "perempuan"),
    ("tanggal_lahir", "1990-07-06", {"nik": "6271034507900001"}, "Tanggal lahir pada NIK"),
    ("nik", "6271034507900001", {"tanggal_lahir": "1991-07-05"}, "Tanggal lahir pada NIK"),
    ("jenis_kelamin_almarhum", "P", {"nik_almarhum": "6271030101500003"}, "laki-laki"),
])
def test_nik_conflicts_with_sex_or_birth_date(name: str, value: str, known: dict[str, str], fragment: str) -> None:
    assert any(fragment in p for p in identity_problems(name, value, known))


@pytest.mark.parametrize("name, value, known", [
    ("jenis_kelamin", "P", {"nik": "6271034507900001"}),
    ("tanggal_lahir", "1990-07-05", {"nik": "6271034507900001", "jenis_kelamin": "P"}),
    ("nik", "6271034507900001", {}),
    ("tanggal_lahir", "1990-07-05", {"nik_almarhum": "6271030101500003"}),  # another person
    ("pekerjaan", "Petani", {"nik": "6271034507900001"}),
])
def test_nik_consistent(name: str, value: str, known: dict[str, str]) -> None:
    assert identity_problems(name, value, known) == []


def test_validate_checks_known_values() -> None:
    sex = field("choice", name="jenis_kelamin", choice_set="jenis_kelamin")
    with pytest.raises(FieldError, match="perempuan"):
        validate(sex, "laki-laki", TODAY, {"nik": "6271034507900001"})
    assert validate(sex, "laki-laki", TODAY) == "L"


@pytest.mark.parametrize("raw", ["6271032011150004", "6271 0320 1115 0004"])
def test_kk_valid(raw: str) -> None:
    assert validate_kk(raw) == "6271032011150004"


@pytest.mark.parametrize("raw", ["0071032011150004", "6200032011150004", "627103201115000", "62710320111500a4"])
def test_kk_invalid(raw: str) -> None:
    with pytest.raises(FieldError):
        validate_kk(raw)


@pytest.mark.parametrize("raw, expected", [
    ("Ni Luh Putu Ayu", "Ni Luh Putu Ayu"),
    ("Ma'ruf", "Ma'ruf"),
    ("Ma’ruf Amin", "Ma'ruf Amin"),
    ("Siti-Aisyah", "Siti-Aisyah"),
    ("H. Abdul Rahman", "H. Abdul Rahman"),
    ("  budi   santoso ", "Budi Santoso"),
    ("siti-aisyah", "Siti-Aisyah"),
    ("I GUSTI NGURAH RAI", "I GUSTI NGURAH RAI"),
    ("Dayang Sumbi", "Dayang Sumbi"),
])
def test_name_valid(raw: str, expected: str) -> None:
    assert validate_name(raw) == expected


@pytest.mark.parametrize("raw", ["Budi123", "R2-D2", "@budi", "-Budi", "'", "A", "Budi_Santoso", "x" * 101, "😀 Budi"])
def test_name_invalid(raw: str) -> None:
    with pytest.raises(FieldError):
        validate_name(raw)


@pytest.mark.parametrize("raw", [
    "17-08-1990", "17/08/1990", "17.08.1990", "17-8-1990", "17 Agustus 1990", "17 agustus 1990", "17 agt 1990",
    "17 Agu 1990", "17 ags 1990", "17 agst 1990", "17 Aug 1990", "17-Agu-1990", "17 AGUSTUS 1990", "1990-08-17",
    " 17  Agt.  1990 ",
])
def test_date_forms(raw: str) -> None:
    assert validate_date(raw, TODAY) == "1990-08-17"


@pytest.mark.parametrize("raw, expected", [
    ("1 Januari 2000", "2000-01-01"), ("29 Feb 2024", "2024-02-29"), ("5 Mei 1985", "1985-05-05"),
    ("10 nop 2001", "2001-11-10"), ("3 Des 1999", "1999-12-03"), ("22 November 2026", "2026-11-22"),
])
def test_date_months(raw: str, expected: str) -> None:
    assert validate_date(raw, TODAY) == expected


@pytest.mark.parametrize("raw, fragment", [
    ("31-02-1990", "kalender"), ("29 Feb 2023", "kalender"), ("17-13-1990", "kalender"),
    ("23-11-2026", "hari ini"), ("1 Januari 2030", "hari ini"),
    ("17-08-90", "4 digit"), ("17 Agx 1990", "bulan"), ("tujuh belas agustus", "Format"),
    ("1-1-1800", "lampau"), ("", "Format"),
])
def test_date_invalid(raw: str, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        validate_date(raw, TODAY)


@pytest.mark.parametrize("raw, expected", [
    ("003/005", "003/005"), ("3/5", "003/005"), ("RT 3 RW 5", "003/005"), ("rt.03 rw.05", "003/005"),
    ("RT 003 / RW 005", "003/005"), ("RT03/RW05", "003/005"), ("3 5", "003/005"), ("12-4", "012/004"),
])
def test_rt_rw(raw: str, expected: str) -> None:
    assert validate_rt_rw(raw) == expected


@pytest.mark.parametrize("raw", ["3", "RT 3", "0/5", "3/5/7", "RT tiga RW lima", "1000/1"])
def test_rt_rw_invalid(raw: str) -> None:
    with pytest.raises(FieldError):
        validate_rt_rw(raw)


@pytest.mark.parametrize("raw", ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890",
                                 "(0812) 3456 7890", "+62-812-3456-7890"])
def test_phone(raw: str) -> None:
    assert validate_phone(raw) == "+6281234567890"


def test_phone_landline() -> None:
    assert validate_phone("0536 3221234") == "+625363221234"


@pytest.mark.parametrize("raw", ["12345", "0812", "+1 555 123 4567", "08123456789012345", "00812345678",
                                 "0812-abcd-7890", ""])
def test_phone_invalid(raw: str) -> None:
    with pytest.raises(FieldError):
        validate_phone(raw)


@pytest.mark.parametrize("set_name, raw, expected", [
    ("agama", "islam", "islam"), ("agama", "ISLAM", "islam"), ("agama", "1", "islam"), ("agama", "budha", "buddha"),
    ("agama", "Kristen Protestan", "kristen"), ("agama", "katholik", "katolik"), ("agama", "konghucu", "khonghucu"),
    ("jenis_kelamin", "perempuan", "P"), ("jenis_kelamin", "Laki-Laki", "L"), ("jenis_kelamin", "2", "P"),
    ("jenis_kelamin", "pria", "L"), ("jenis_kelamin", "prempuan", "P"),
    ("status_perkawinan", "belum kawin", "belum_kawin"), ("status_perkawinan", "Cerai Mati", "cerai_mati"),
    ("status_perkawinan", "menikah", "kawin"), ("kewarganegaraan", "Indonesia", "WNI"),
    ("kewarganegaraan", "wni", "WNI"), ("hubungan", "anak", "anak"), ("hubungan", "Istri", "istri"),
    ("hubungan", "orang tua", "orang_tua"), ("hubungan", "famili lain", "famili_lain"),
])
def test_choice(set_name: str, raw: str, expected: str) -> None:
    assert validate_choice(field("choice", choice_set=set_name), raw) == expected


@pytest.mark.parametrize("set_name, raw", [("agama", "9"), ("agama", "0"), ("jenis_kelamin", "robot"),
                                           ("status_perkawinan", "")])
def test_choice_invalid(set_name: str, raw: str) -> None:
    with pytest.raises(FieldError, match="Pilihan"):
        validate_choice(field("choice", choice_set=set_name), raw)


def test_own_choices_stored_as_written() -> None:
    f = field("choice", choices=["Milik Sendiri", "Sewa/Kontrak", "Menumpang"])
    assert validate_choice(f, "sewa/kontrak") == "Sewa/Kontrak"
    assert validate_choice(f, "3") == "Menumpang"


def test_text_limits() -> None:
    assert validate_text("  Warung   makan  ") == "Warung makan"
    with pytest.raises(FieldError, match="pendek"):
        validate_text("ab", min_length=3)
    with pytest.raises(FieldError, match="panjang"):
        validate_text("x" * 151, max_length=150)
    with pytest.raises(FieldError):
        validate_text("...")


@pytest.mark.parametrize("raw, ok", [("2015", True), ("1900", True), ("2026", True), ("2027", False),
                                     ("1899", False), ("15", False), ("dua ribu", False)])
def test_year(raw: str, ok: bool) -> None:
    if ok:
        assert validate_year(raw, TODAY) == raw
    else:
        with pytest.raises(FieldError):
            validate_year(raw, TODAY)


def test_number() -> None:
    assert validate_number(" 02 ") == "2"
    for raw in ("0", "-1", "dua", "1.5"):
        with pytest.raises(FieldError):
            validate_number(raw)


@pytest.mark.parametrize("media_type, size", [("image/jpeg", 1), ("image/png", 10 * 1024 * 1024),
                                              ("application/pdf", 500_000), ("IMAGE/JPEG", 100)])
def test_upload_ok(media_type: str, size: int) -> None:
    validate_upload(media_type, size, UPLOAD_MAX_BYTES)


@pytest.mark.parametrize("media_type, size, fragment", [
    ("image/gif", 1000, "tidak didukung"), ("application/msword", 1000, "tidak didukung"),
    ("video/mp4", 1000, "tidak didukung"), ("image/jpeg", 10 * 1024 * 1024 + 1, "10 MB"),
    ("application/pdf", 0, "kosong"), ("", 100, "tidak didukung"),
])
def test_upload_rejected(media_type: str, size: int, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        validate_upload(media_type, size, UPLOAD_MAX_BYTES)


@pytest.mark.parametrize("type_, raw, expected", [
    ("nik", "6271034507900001", "6271034507900001"), ("kk", "6271032011150004", "6271032011150004"),
    ("name", "Ma'ruf", "Ma'ruf"), ("date", "17 agt 1990", "1990-08-17"), ("rt_rw", "RT 3 RW 5", "003/005"),
    ("phone", "0812 3456 7890", "+6281234567890"), ("text", "Usaha", "Usaha"), ("year", "2015", "2015"),
    ("number", "3", "3"),
])
def test_validate_dispatches_by_type(type_: str, raw: str, expected: str) -> None:
    assert validate(field(type_), raw, TODAY) == expected
