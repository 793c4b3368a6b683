"""Personal-data rights in the pure engine (UU No. 27 Tahun 2022): consent is recorded before any
personal data is asked; `data saya` and `hapus data saya` are commands that produce effects, the
deletion only after "ketik YA"; the texts say where the data is kept, for how long, and what stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import (
    AskFile,
    Catalogue,
    ChoiceMade,
    Command,
    Directory,
    ErasePersonalData,
    RecordConsent,
    Reply,
    RevisionRequested,
    SaveProfile,
    ShowPersonalData,
    ShowStatus,
    Step,
    SubmitRequest,
    load_catalogue,
)
from flows.personal_data import Erased, RequestRecord, StoredData, erased_text, stored_text
from tests.support.flows import ANSWERS, Chat, photo


def step(chat: Chat) -> Step:
    """The chat's step now (a function, so that the type checker does not carry an earlier assert over)."""
    return chat.state.step


def field_prompts(catalogue: Catalogue) -> set[str]:
    """The first line of every question about personal data, in every letter type."""
    prompts = {f.prompt.splitlines()[0] for t in catalogue for f in t.fields}
    prompts |= {f.prompt.splitlines()[0] for t in catalogue for g in t.groups for f in g.fields}
    return {p for p in prompts if p}


def asks_personal_data(effects: list[object], prompts: set[str]) -> bool:
    return any(isinstance(e, AskFile) or (isinstance(e, Reply) and any(p in e.text for p in prompts))
               for e in effects)


@pytest.mark.parametrize("code", [t.code for t in load_catalogue() if t.online])
def test_no_question_about_personal_data_comes_before_consent(catalogue: Catalogue, directory: Directory,
                                                              code: str) -> None:
    chat, prompts = Chat(catalogue, directory), field_prompts(catalogue)
    tries = ["/start", "bukit tunggal", code, "lanjut", ANSWERS["nik"], photo("ref-1"), ChoiceMade(value=code),
             ChoiceMade(value="lanjut"), Command(name="kembali"), "Siti Aminah", "status", "tidak"]
    for inbound in tries:
        effects = chat.send(inbound)
        assert not asks_personal_data(effects, prompts), (inbound, effects)
        assert not any(isinstance(e, RecordConsent | SaveProfile | SubmitRequest) for e in effects)
        assert not chat.state.draft.has_answers() and not chat.state.consent
    chat.send("/start")
    assert step(chat) == Step.CONSENT and "UU No. 27 Tahun 2022" in chat.text and "hapus data saya" in chat.text
    effects = chat.press("ya")
    assert isinstance(effects[0], RecordConsent)  # recorded first, before anything else is asked
    chat.send("bukit tunggal")
    chat.choose_letter(code)
    chat.fill()
    first_question = next(i for i, e in enumerate(chat.log) if asks_personal_data([e], prompts))
    consent = next(i for i, e in enumerate(chat.log) if isinstance(e, RecordConsent))
    assert consent < first_question


def test_data_saya_shows_and_keeps_the_conversation_where_it_was(catalogue: Catalogue, directory: Directory) -> None:
    chat = Chat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    chat.send(ANSWERS["nama"])
    before = chat.state.model_copy(deep=True)
    for asked in ("data saya", "/datasaya", "Data Saya.", Command(name="datasaya")):
        effects = chat.send(asked)
        assert effects[0] == ShowPersonalData(draft_title=catalogue["sktm"].title), asked
        assert chat.state.draft == before.draft and step(chat) == Step.FILL
        assert "NIK" in chat.prompt.text  # the question asked before, asked again
    idle = Chat(catalogue, directory)
    assert idle.send("data saya")[0] == ShowPersonalData(draft_title=None)


def test_a_day_old_draft_does_not_hold_up_the_data_commands(catalogue: Catalogue, directory: Directory) -> None:
    chat = Chat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    chat.send(ANSWERS["nama"])
    chat.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert isinstance(chat.send("data saya")[0], ShowPersonalData)
    chat.send("hapus data saya")
    assert step(chat) == Step.CONFIRM_ERASE


def test_hapus_data_saya_asks_for_yes_then_erases_the_drafts_and_the_consent(catalogue: Catalogue,
                                                                           directory: Directory) -> None:
    chat = Chat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    chat.fill(submit=False)
    assert chat.state.draft.attachments
    files = sorted(r for r in chat.state.draft.attachments.values() if r)
    effects = chat.send("hapus data saya")
    assert step(chat) == Step.CONFIRM_ERASE and not any(isinstance(e, ErasePersonalData) for e in effects)
    assert "Ketik YA untuk menghapus" in chat.text and "arsip kelurahan" in chat.text
    assert chat.values == ["ya", "tidak"]
    effects = chat.send("YA")
    assert len(effects) == 1 and isinstance(effects[0], ErasePersonalData)
    assert sorted(effects[0].draft_files) == files
    assert step(chat) == Step.IDLE and not chat.state.consent and not chat.state.draft.has_answers()
    chat.send("/start")  # consent is asked again before anything
    assert step(chat) == Step.CONSENT


@pytest.mark.parametrize("answer", ["tidak", "batal", "kembali", ChoiceMade(value="tidak")])
def test_hapus_data_saya_can_be_called_off(catalogue: Catalogue, directory: Directory, answer: object) -> None:
    chat = Chat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    chat.send(ANSWERS["nama"])
    draft = chat.state.draft.model_copy(deep=True)
    chat.send("hapus data saya")
    effects = chat.send(answer)
    assert not any(isinstance(e, ErasePersonalData) for e in effects)
    assert "tidak dihapus" in chat.text and chat.state.draft == draft and step(chat) == Step.FILL
    assert chat.state.consent
    idle = Chat(catalogue, directory)
    idle.start()
    idle.send("hapus data saya")
    idle.send("tidak")
    assert step(idle) == Step.IDLE and idle.state.consent and "tidak dihapus" in idle.text


def test_a_correction_under_way_is_not_erased(catalogue: Catalogue, directory: Directory) -> None:
    chat = Chat(catalogue, directory)
    chat.start()
    chat.choose_letter("sktm")
    submitted = chat.fill()
    assert submitted is not None
    chat.send(RevisionRequested(request_id=17, letter_type="sktm", kelurahan_slug="bukit-tunggal",
                                fields=submitted.fields, attachments=submitted.attachments, fields_to_fix=["alamat"]))
    effects = chat.send("hapus data saya")
    assert not any(isinstance(e, ErasePersonalData) for e in effects)
    assert "memperbaiki permohonan nomor 17" in chat.text and chat.state.draft.revision_of == 17
    assert isinstance(chat.send("status")[0], ShowStatus)


def test_the_stored_data_text_masks_nik_and_kk_and_says_where_and_how_long(catalogue: Catalogue) -> None:
    profile = {"nama": "Siti Aminah", "nik": ANSWERS["nik"], "no_kk": ANSWERS["no_kk"], "no_hp": "+6281234567890",
               "alamat": "Jl. G. Obos XII No. 5", "tanggal_lahir": "1990-07-05"}
    requests = [RequestRecord("BT-2026-000002", "SKTM", "Menunggu pemeriksaan petugas", files=3),
                RequestRecord("BT-2026-000001", "SKTM", "Surat telah terbit", "400.12.2.2/001/BT/XI/2026")]
    data = StoredData(profile=profile, consent_at=datetime(2026, 11, 22, 2, 5, tzinfo=UTC), retention_days=30,
                      requests=requests, display_name="Siti", draft_title="Surat Keterangan Usaha")
    text = stored_text(data, catalogue)
    assert ANSWERS["nik"] not in text and ANSWERS["no_kk"] not in text
    assert "NIK: 6271********0001" in text and "Nomor KK: 6271********0004" in text
    assert "Nama: Siti Aminah" in text and "Jl. G. Obos XII No. 5" in text and "5 Juli 1990" in text
    assert "22 November 2026 pukul 09.05 WIB" in text
    assert "BT-2026-000002 SKTM: Menunggu pemeriksaan petugas, 3 berkas tersimpan" in text
    assert "nomor surat 400.12.2.2/001/BT/XI/2026" in text and "Surat Keterangan Usaha" in text
    assert "dihapus otomatis 30 hari" in text and "arsip kelurahan" in text and "hapus data saya" in text
    empty = stored_text(StoredData(profile={}, consent_at=None, requests=[], retention_days=7), catalogue)
    assert "tidak menyimpan data diri" in empty and "belum memiliki permohonan" in empty


def test_the_erased_text_says_what_stays_for_the_archive_and_what_is_still_processed() -> None:
    text = erased_text(Erased(profile_fields=12, files=3, messages=40, kept_letters=["400.12.2.2/001/BT/XI/2026"],
                              active=["BT-2026-000002"]))
    assert "data diri (12 isian)" in text and "3 foto/berkas" in text and "40 pesan" in text
    assert "400.12.2.2/001/BT/XI/2026" in text and "arsip kelurahan" in text
    assert "BT-2026-000002" in text and "masih diproses" in text
    plain = erased_text(Erased(profile_fields=0, files=0, messages=0, kept_letters=[], active=[]))
    assert "arsip" not in plain and "masih diproses" not in plain and "/start" in plain
