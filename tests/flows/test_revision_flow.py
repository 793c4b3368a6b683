"""A correction asks only for what the staff note names, keeps the rest (answers and files), lets the
resident keep a file in question ("lanjut"), offers the list of fields when the note names none, and
names the request by its code."""

from __future__ import annotations

from typing import Any

from flows import RevisionRequested, SubmitRequest
from flows.state import Step
from tests.support.flows import DEPENDANT, PROFILE, photo

FILES = {"pengantar_rt_rw": "11", "ktp": "12", "kk": "13"}
CODE = "BT-2026-000041"


def revision(fix: list[str], note: str = "Mohon diperbaiki", code: str = CODE) -> RevisionRequested:
    fields: dict[str, Any] = {**PROFILE, "no_pengantar_rt": "012/RT.03/XI/2026", "tanggal_pengantar_rt": "2026-11-20",
                              "terdaftar_dtks": "Tidak", "keperluan": "Pendaftaran beasiswa anak",
                              "tanggungan": [DEPENDANT]}
    return RevisionRequested(request_id=41, code=code, letter_type="sktm", kelurahan_slug="bukit-tunggal",
                             fields=fields, attachments=dict(FILES), fields_to_fix=fix, note=note)


def test_a_correction_of_the_address_asks_only_the_address_and_keeps_the_files(chat: Any) -> None:
    chat.send(revision(["alamat"], "Alamat kurang lengkap"))
    assert chat.question() == "f:alamat"
    assert "Mohon perbaiki: Alamat." in chat.text
    chat.send("Jl. G. Obos XII No. 5A")
    assert chat.state.step == Step.SUMMARY  # no file asked again
    chat.press("kirim")
    [submit] = chat.of(SubmitRequest)
    assert submit.attachments == FILES and submit.fields["alamat"] == "Jl. G. Obos XII No. 5A"


def test_lanjut_keeps_the_file_in_question(chat: Any) -> None:
    chat.send(revision(["ktp"], "Foto KTP buram"))
    assert chat.question() == "a:ktp"
    assert "kirim foto baru atau ketik *lanjut* untuk memakai berkas sebelumnya" in chat.text
    assert "Pakai berkas lama" in [c.title for c in chat.prompt.choices]
    chat.send("lanjut")
    assert chat.state.step == Step.SUMMARY
    chat.press("kirim")
    assert chat.of(SubmitRequest)[0].attachments == FILES


def test_a_new_file_replaces_only_that_file(chat: Any) -> None:
    chat.send(revision(["ktp"], "Foto KTP buram"))
    chat.send(photo("99"))
    chat.press("kirim")
    assert chat.of(SubmitRequest)[0].attachments == {**FILES, "ktp": "99"}


def test_a_note_naming_nothing_offers_the_list_of_fields(chat: Any) -> None:
    chat.send(revision([], "Data belum sesuai, mohon diperiksa"))
    assert chat.state.step == Step.FIX_PICK
    assert "Catatan petugas: Data belum sesuai" in chat.text and "Pilih data yang perlu diperbaiki" in chat.text
    assert "f:nama" in chat.values  # the fields to choose from, not an upload
    chat.press("f:nama")
    assert chat.question() == "f:nama"
    chat.send("Siti Aminah Rahayu")
    assert chat.state.step == Step.SUMMARY
    chat.press("kirim")
    submit = chat.of(SubmitRequest)[0]
    assert submit.fields["nama"] == "Siti Aminah Rahayu" and submit.attachments == FILES


def test_the_request_is_named_by_its_code(chat: Any) -> None:
    chat.send(revision(["alamat"]))
    assert f"Petugas kelurahan meminta perbaikan permohonan {CODE}." in chat.text
    assert "nomor 41" not in chat.text
    chat.send("/start")
    assert f"Anda sedang memperbaiki permohonan {CODE}." in chat.text
    chat.send("Jl. G. Obos XII No. 5A")
    assert f"(Perbaikan permohonan {CODE})" in chat.text
