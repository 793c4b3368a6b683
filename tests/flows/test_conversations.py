"""Whole conversations: every letter type end to end, groups, uploads, profile, corrections, pauses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from flows import (
    AskFile,
    CancelRequest,
    Catalogue,
    ConversationState,
    Reply,
    RevisionRequested,
    SaveProfile,
    Step,
    SubmitRequest,
    messages,
)
from tests.support.flows import ANSWERS, NOW, PROFILE, UPLOAD_MAX_BYTES, photo, reach

CODES = ["sktm", "sku", "domisili", "pengantar_skck", "belum_menikah", "kelahiran", "kematian"]


@pytest.mark.parametrize("code", CODES)
def test_each_letter_type_end_to_end(make_chat: Callable[..., Any], catalogue: Catalogue, code: str) -> None:
    chat = make_chat()
    chat.start("Bukit Tunggal")
    chat.choose_letter(code)
    submit = chat.fill()
    letter = catalogue[code]
    assert submit.kelurahan_slug == "bukit-tunggal" and submit.letter_type == code and submit.revision_of is None
    assert submit.fields["nama"] == "Siti Aminah" and submit.fields["nik"] == "6271034507900001"
    for f in letter.fields:
        if f.required and f.condition is None:
            assert submit.fields[f.name], f.name
    assert set(submit.attachments) == {a.kind for a in letter.attachments}
    assert chat.state.step == Step.IDLE and chat.state.draft.fields == {}
    saved = chat.of(SaveProfile)[0].profile
    assert saved["nama"] == "Siti Aminah" and "keperluan" not in saved


def test_ahli_waris_ends_with_the_visit_message(chat: Any) -> None:
    chat.start("menteng")
    chat.send("ahli waris")
    assert chat.state.step == Step.IDLE
    assert "memerlukan kunjungan ke Kantor Kelurahan Menteng" in chat.text
    assert "Senin-Jumat" in chat.text and not any(isinstance(e, SubmitRequest) for e in chat.log)


def test_sktm_canonical_values_and_dependants(chat: Any) -> None:
    chat.start()
    chat.choose_letter("sktm")
    submit = chat.fill(dependants=2)
    f = submit.fields
    assert (f["tanggal_lahir"], f["jenis_kelamin"], f["rt_rw"], f["no_hp"]) == ("1990-07-05", "P", "003/005",
                                                                                 "+6281234567890")
    assert f["tanggal_pengantar_rt"] == "2026-11-20" and f["no_dtks"] == "3201234567"
    assert len(f["tanggungan"]) == 2 and f["tanggungan"][0]["tanggal_lahir"] == "2012-03-12"
    assert f["tanggungan"][0]["hubungan"] == "anak"


def test_conditional_field_skipped_when_condition_fails(chat: Any) -> None:
    chat.start()
    chat.choose_letter("sktm")
    submit = chat.fill({"terdaftar_dtks": "Tidak"}, dependants=0)
    assert "no_dtks" not in submit.fields and submit.fields["tanggungan"] == []


def test_optional_field_skipped(chat: Any) -> None:
    chat.start()
    chat.choose_letter("domisili")
    submit = chat.fill({"alamat_ktp": "lewati", "status_tempat_tinggal": "Milik Sendiri"})
    assert submit.fields["alamat_ktp"] == "" and "nama_pemilik_rumah" not in submit.fields


def test_typed_number_and_title_choose(chat: Any) -> None:
    reach(chat, "fill_first")
    for text in ("Siti Aminah", "6271034507900001", "Palangka Raya", "5 Juli 1990"):
        chat.send(text)
    assert chat.prompt.choices[1].title == "Perempuan" and "2. Perempuan" in chat.prompt.text
    chat.send("2")
    assert chat.state.draft.fields["jenis_kelamin"] == "P"
    chat.send("Islam")
    assert chat.state.draft.fields["agama"] == "islam"


def test_nik_checked_against_sex_and_birth_date(chat: Any) -> None:
    reach(chat, "fill_first")
    chat.send("Siti Aminah")
    chat.send("6271034507900001")
    chat.send("Palangka Raya")
    chat.send("6 Juli 1990")
    assert "tidak sesuai dengan tanggal lahir" in chat.text and "tanggal_lahir" not in chat.state.draft.fields
    chat.send("05/07/1990")
    chat.send("Laki-laki")
    assert "NIK ini milik seorang perempuan" in chat.text
    chat.press("P")
    assert chat.state.draft.fields["jenis_kelamin"] == "P"


def test_group_row_nik_checked_and_more(chat: Any) -> None:
    chat.start()
    chat.choose_letter("sktm")
    chat.fill(submit=False, dependants=0)
    chat.send("ubah tanggungan")
    assert chat.state.step == Step.FILL and "Tanggungan saat ini" in chat.text
    chat.press("add")
    assert "Tanggungan ke-1" in chat.text
    for name in ("nama", "nik", "jenis_kelamin"):
        chat.send({"nama": "Budi", "nik": "6271031203120002", "jenis_kelamin": "P"}[name])
    assert "NIK ini milik seorang laki-laki" in chat.text
    for text in ("L", "Palangka Raya", "12-03-2012", "anak"):
        chat.send(text)
    assert chat.prompt.text.startswith("Apakah ada tanggungan lain")
    chat.press("tidak")
    assert chat.state.step == Step.SUMMARY and "1) Budi, 6271031203120002" in chat.text


def test_group_edit_delete_row(chat: Any) -> None:
    chat.start()
    chat.choose_letter("sktm")
    chat.fill(submit=False, dependants=2)
    assert len(chat.state.draft.groups["tanggungan"]) == 2
    chat.press("ubah")
    chat.press("e:tanggungan")
    chat.press("del:1")
    assert messages.DELETED in chat.text and len(chat.state.draft.groups["tanggungan"]) == 1
    chat.press("done")
    assert chat.state.step == Step.SUMMARY


def test_uploads_checked(chat: Any) -> None:
    chat.start()
    chat.choose_letter("sku")
    chat.fill(submit=False)
    chat.send("ubah ktp")
    assert isinstance(chat.prompt, AskFile) and chat.prompt.attachment_kind == "ktp"
    chat.send(photo("gif", media_type="image/gif"))
    assert "tidak didukung" in chat.text
    chat.send(photo("big", size=11 * 1024 * 1024))
    assert "melebihi batas 10 MB" in chat.text
    chat.send("ini KTP saya")
    assert messages.file_expected(UPLOAD_MAX_BYTES) in chat.text
    chat.send(photo("ktp-2.pdf", media_type="application/pdf"))
    assert chat.state.step == Step.SUMMARY and chat.state.draft.attachments["ktp"] == "ktp-2.pdf"


def test_optional_attachment_skipped(chat: Any) -> None:
    chat.start()
    chat.choose_letter("pengantar_skck")
    while chat.question() != "a:lainnya":
        kind, _, rest = chat.question().partition(":")
        chat.send(ANSWERS[rest] if kind == "f" else photo(rest))
    assert "boleh dilewati" in chat.text and "Lewati" in [c.title for c in chat.prompt.choices]
    chat.press("__skip")
    assert chat.state.step == Step.SUMMARY and chat.state.draft.attachments["lainnya"] == ""
    chat.press("kirim")
    assert "lainnya" not in chat.of(SubmitRequest)[0].attachments


def test_kembali_keeps_answers(chat: Any) -> None:
    reach(chat, "fill_first")
    chat.send("Siti Aminah")
    chat.send("6271034507900001")
    chat.send("kembali")
    assert "Jawaban tersimpan: 6271034507900001" in chat.text
    chat.send("kembali")
    assert "Jawaban tersimpan: Siti Aminah" in chat.text
    assert chat.state.draft.fields == {"nama": "Siti Aminah", "nik": "6271034507900001"}
    chat.press("__keep")
    assert "Jawaban tersimpan: 6271034507900001" in chat.text
    chat.send("Tetap")
    assert "Di kota atau kabupaten mana Anda lahir?" in chat.text


def test_fix_then_back_to_summary(chat: Any) -> None:
    reach(chat, "summary")
    chat.send("ubah alamat")
    chat.send("Jl. Rajawali No. 7")
    assert chat.state.step == Step.SUMMARY and "Alamat: Jl. Rajawali No. 7" in chat.text
    chat.send("ubah pekerjaan")
    chat.send("kembali")
    assert chat.state.step == Step.SUMMARY and chat.state.draft.fields["pekerjaan"] == "Wiraswasta"


def test_fix_pick_pages_within_limits(chat: Any) -> None:
    reach(chat, "fix_pick")
    seen: list[str] = []
    for _ in range(3):
        assert len(chat.prompt.choices) <= 10
        seen += [c.value for c in chat.prompt.choices if not c.value.startswith("__")]
        if "__next" not in chat.values:
            break
        chat.press("__next")
    assert "a:kk" in seen and "f:nama" in seen and "e:tanggungan" in seen


def test_profile_reused(make_chat: Callable[..., Any]) -> None:
    chat = make_chat(profile=PROFILE | {"no_hp": "bukan nomor"})
    reach(chat, "profile")
    assert "Nama: Siti Aminah" in chat.text and "6271********0001" in chat.text and "bukan nomor" not in chat.text
    chat.press("ya")
    assert chat.question() == "f:no_hp"  # the only identity field not (validly) saved
    submit = chat.fill()
    assert submit.fields["nama"] == "Siti Aminah"
    assert chat.of(SaveProfile)[0].profile["no_hp"] == "+6281234567890"


def test_profile_unchanged_not_saved_again(make_chat: Callable[..., Any]) -> None:
    chat = make_chat(profile=PROFILE)
    reach(chat, "profile")
    chat.press("ya")
    chat.fill()
    assert chat.of(SubmitRequest) and not chat.of(SaveProfile)


def test_idle_draft_offered_again_after_24_hours(chat: Any) -> None:
    reach(chat, "fill")
    chat.now += timedelta(hours=23)
    chat.send("6271034507900001")
    assert chat.state.draft.fields["nik"] == "6271034507900001"
    chat.now += timedelta(hours=24)
    chat.send("Palangka Raya")
    assert chat.state.step == Step.RESUME and "Lanjutkan permohonan sebelumnya?" in chat.text
    assert "tempat_lahir" not in chat.state.draft.fields
    chat.press("lanjut")
    assert chat.state.step == Step.FILL and "Di kota atau kabupaten mana Anda lahir?" in chat.text
    assert chat.state.draft.fields == {"nama": "Siti Aminah", "nik": "6271034507900001"}


def test_idle_draft_start_over(chat: Any) -> None:
    reach(chat, "resume")
    chat.send("mulai baru")
    assert chat.of(CancelRequest) and chat.state.step == Step.KECAMATAN and chat.state.draft.fields == {}


def test_naive_and_aware_clocks_mix(chat: Any) -> None:
    reach(chat, "fill")
    chat.now = datetime(2026, 11, 25, 3, 0)  # naive, taken as UTC
    chat.send("6271034507900001")
    assert chat.state.step == Step.RESUME


def revision(request_id: int = 41, fix: list[str] | None = None, note: str = "Foto KTP buram.") -> RevisionRequested:
    fields = {k: v for k, v in PROFILE.items()} | {
        "no_pengantar_rt": "012/RT.03/XI/2026", "tanggal_pengantar_rt": "2026-11-20", "terdaftar_dtks": "Tidak",
        "keperluan": "Berobat", "tanggungan": [{"nama": "Budi", "nik": "6271031203120002", "jenis_kelamin": "L",
                                                "tempat_lahir": "Palangka Raya", "tanggal_lahir": "2012-03-12",
                                                "hubungan": "anak"}],
    }
    return RevisionRequested(request_id=request_id, letter_type="sktm", kelurahan_slug="bukit-tunggal", fields=fields,
                             attachments={"ktp": "k1", "kk": "kk1", "pengantar_rt_rw": "p1"},
                             fields_to_fix=fix if fix is not None else ["alamat", "ktp"], note=note)


def test_revision_asks_exactly_the_fields_in_question(chat: Any) -> None:
    chat.send(revision())
    assert "Catatan petugas: Foto KTP buram." in chat.text and "Mohon perbaiki: Alamat, KTP." in chat.text
    assert chat.question() == "f:alamat" and "Jawaban tersimpan: Jl. G. Obos XII No. 5" in chat.text
    chat.send("Jl. Rajawali No. 7")
    assert chat.question() == "a:ktp"
    chat.send(photo("k2"))
    assert chat.state.step == Step.SUMMARY and "Perbaikan permohonan nomor 41" in chat.text
    chat.press("kirim")
    submit = chat.of(SubmitRequest)[0]
    assert submit.revision_of == 41 and submit.fields["alamat"] == "Jl. Rajawali No. 7"
    assert submit.attachments == {"ktp": "k2", "kk": "kk1", "pengantar_rt_rw": "p1"}
    assert submit.fields["tanggungan"][0]["nama"] == "Budi" and submit.fields["nama"] == "Siti Aminah"


def test_revision_of_a_group(chat: Any) -> None:
    chat.send(revision(fix=["tanggungan"]))
    assert "Tanggungan saat ini" in chat.text
    chat.press("done")
    assert chat.state.step == Step.SUMMARY


def test_revision_puts_the_draft_aside(chat: Any) -> None:
    reach(chat, "fill")
    chat.send(revision(fix=["no_hp"]))
    assert chat.state.stash is not None and chat.state.stash.fields == {"nama": "Siti Aminah"}
    chat.send("0813 1111 2222")
    chat.press("kirim")
    assert chat.of(SubmitRequest)[0].revision_of == 41
    chat.send("halo")
    assert chat.state.step == Step.RESUME and chat.state.draft.fields == {"nama": "Siti Aminah"}
    chat.press("lanjut")
    assert "Berapa NIK Anda" in chat.text


def test_second_revision_waits_its_turn(chat: Any) -> None:
    chat.send(revision(41, ["alamat"]))
    chat.send(revision(42, ["no_hp"]))
    assert messages.QUEUED_REVISION in chat.text and chat.state.draft.revision_of == 41
    chat.send(revision(41, ["alamat"]))  # delivered twice: nothing changes
    assert len(chat.state.queued) == 1
    chat.send("Jl. Rajawali No. 7")
    chat.press("kirim")
    chat.send("halo")
    assert chat.state.draft.revision_of == 42 and chat.question() == "f:no_hp"


def test_revision_cancelled_withdraws_request(chat: Any) -> None:
    chat.send(revision())
    chat.send("batal")
    chat.press("ya")
    assert chat.of(CancelRequest) == [CancelRequest(request_id=41)]


def test_revision_back_and_start(chat: Any) -> None:
    chat.send(revision())
    chat.send("kembali")
    assert messages.FIRST_STEP in chat.text and chat.question() == "f:alamat"
    chat.send("/start")
    assert "Anda sedang memperbaiki permohonan nomor 41" in chat.text


def test_revision_fix_pick_back_to_summary(chat: Any) -> None:
    chat.send(revision(fix=[]))
    assert chat.state.step == Step.FIX_PICK  # a note that names nothing: the resident picks what to correct
    chat.press("ubah")
    chat.send("kembali")
    assert chat.state.step == Step.SUMMARY and chat.state.draft.started


def test_revision_of_unknown_letter(chat: Any) -> None:
    chat.send(revision().model_copy(update={"letter_type": "paspor"}))
    assert chat.text == messages.BAD_REVISION and chat.state == ConversationState(updated_at=NOW)


def test_draft_of_a_removed_letter_type(make_chat: Callable[..., Any]) -> None:
    chat = make_chat()
    reach(chat, "fill")
    state = chat.state.model_copy(deep=True)
    state.draft.letter_type = "surat_lama"
    chat = make_chat(state=state)
    chat.send("halo")
    assert messages.LETTER_GONE in chat.text and chat.state.step == Step.KECAMATAN


def test_state_restore_other_version() -> None:
    assert ConversationState.restore({"version": 99, "step": "fill"}) == ConversationState()
    assert ConversationState.restore(None) == ConversationState()
    assert ConversationState.restore({"version": 1, "step": "nonsense"}) == ConversationState()
    state = ConversationState(step=Step.SUMMARY, consent=True)
    assert ConversationState.restore(state.model_dump(mode="json")) == state


def test_submitted_message() -> None:
    text = messages.submitted("BT-2026-0017")
    assert "BT-2026-0017" in text and "status" in text


def test_replies_are_replies(chat: Any) -> None:
    reach(chat, "summary")
    assert all(isinstance(e, Reply) for e in chat.effects)
