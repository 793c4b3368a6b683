"""Table-driven tests of every step and every command of the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import (
    AskFile,
    CancelRequest,
    Command,
    ConversationState,
    Reply,
    SaveProfile,
    ShowStatus,
    Step,
    SubmitRequest,
    messages,
)
from tests.support.flows import PROFILE, photo, reach

Case = tuple[str, Any, Step, str]  # setup step, inbound, expected step, fragment of the reply


def run(make_chat: Callable[..., Any], at: str, inbound: Any, **kw: Any) -> Any:
    chat = make_chat(**kw)
    reach(chat, at)
    if isinstance(inbound, str) and inbound.startswith("press:"):
        chat.press(inbound[6:])
    else:
        chat.send(inbound)
    return chat


STEPS: list[Case] = [
    ("idle", "halo", Step.CONSENT, "UU No. 27 Tahun 2022"),
    ("idle", Command(name="/start"), Step.CONSENT, "Apakah Anda menyetujui"),
    ("consent", "press:ya", Step.KECAMATAN, "1. Pahandut"),
    ("consent", "Setuju", Step.KECAMATAN, "5. Rakumpit"),
    ("consent", "1", Step.KECAMATAN, "Di kecamatan mana"),
    ("consent", "apa ini?", Step.CONSENT, "Ketik *setuju* atau *tidak setuju*"),
    ("kecamatan", "press:Jekan Raya", Step.KELURAHAN, "3. Bukit Tunggal"),
    ("kecamatan", "2", Step.KELURAHAN, "Kecamatan Jekan Raya"),
    ("kecamatan", "jekan raya", Step.KELURAHAN, "4. Petuk Katimpun"),
    ("kecamatan", "sabangau", Step.KELURAHAN, "Kereng Bangkirai"),
    ("kecamatan", "bukit tunggal", Step.LETTER, "Kelurahan Bukit Tunggal"),
    ("kecamatan", "Bkt Tunggal", Step.LETTER, "Kelurahan Bukit Tunggal"),
    ("kecamatan", "buki tungal", Step.LETTER, "Kelurahan Bukit Tunggal"),
    ("kecamatan", "Kel. Pahandut Seberang", Step.LETTER, "Kelurahan Pahandut Seberang"),
    ("kecamatan", "Jakarta", Step.KECAMATAN, messages.NOT_A_PLACE),
    ("kecamatan", "9", Step.KECAMATAN, messages.NOT_A_PLACE),
    ("kelurahan", "press:bukit-tunggal", Step.LETTER, "Kelurahan Bukit Tunggal"),
    ("kelurahan", "3", Step.LETTER, "Kelurahan Bukit Tunggal"),
    ("kelurahan", "menteng", Step.LETTER, "Kelurahan Menteng"),
    ("kelurahan", "kalampangan", Step.LETTER, "Kelurahan Kalampangan"),
    ("kelurahan", "Atlantis", Step.KELURAHAN, messages.NOT_A_PLACE),
    ("letter", "press:sktm", Step.REQUIREMENTS, "Persyaratan:"),
    ("letter", "1", Step.REQUIREMENTS, "Surat Pengantar dari Ketua RT/RW"),
    ("letter", "usaha", Step.REQUIREMENTS, "Surat Keterangan Usaha"),
    ("letter", "skck", Step.REQUIREMENTS, "Surat Pengantar SKCK"),
    ("letter", "domisili", Step.REQUIREMENTS, "Waktu penyelesaian: 1 hari kerja"),
    ("letter", "ahli waris", Step.IDLE, "memerlukan kunjungan ke Kantor Kelurahan Bukit Tunggal"),
    ("letter", "paspor", Step.LETTER, messages.NOT_UNDERSTOOD),
    ("requirements", "press:lanjut", Step.FILL, "Siapa nama lengkap Anda"),
    ("requirements", "press:lain", Step.LETTER, "1. Surat Keterangan Tidak Mampu"),
    ("requirements", "hmm", Step.REQUIREMENTS, "Ketik *lanjut* atau *pilih surat lain*"),
    ("profile", "press:ya", Step.FILL, "nomor Surat Pengantar RT/RW"),
    ("profile", "tidak", Step.FILL, "Siapa nama lengkap Anda"),
    ("profile", "entah", Step.PROFILE, messages.ASK_PROFILE_TAIL),
    ("fill_first", "Siti Aminah", Step.FILL, "Berapa NIK Anda"),
    ("fill_first", "S1t1", Step.FILL, "Nama hanya boleh berisi huruf"),
    ("fill", "6271031713900001", Step.FILL, "Bulan lahir pada NIK"),
    ("fill", photo(), Step.FILL, messages.NOT_A_FILE_STEP),
    ("summary", "press:kirim", Step.IDLE, ""),
    ("summary", "press:ubah", Step.FIX_PICK, messages.PICK_FIX),
    ("summary", "press:batal", Step.CONFIRM_CANCEL, messages.CONFIRM_CANCEL),
    ("summary", "ubah alamat", Step.FILL, "Jawaban tersimpan: Jl. G. Obos XII No. 5"),
    ("summary", "ganti no hp", Step.FILL, "Jawaban tersimpan: +6281234567890"),
    ("summary", "ubah warna", Step.FIX_PICK, messages.NOT_A_FIELD),
    ("summary", "apa?", Step.SUMMARY, messages.NOT_UNDERSTOOD),
    ("fix_pick", "press:f:pekerjaan", Step.FILL, "Apa pekerjaan Anda"),
    ("fix_pick", "1", Step.FILL, "Siapa nama lengkap Anda"),
    ("fix_pick", "ubah rt rw", Step.FILL, "Berapa nomor RT dan RW"),
    ("fix_pick", "press:__next", Step.FIX_PICK, "Sebelumnya"),
    ("confirm_cancel", "press:tidak", Step.FILL, "Berapa NIK Anda"),
    ("confirm_cancel", "press:ya", Step.IDLE, messages.CANCELLED),
    ("resume", "press:lanjut", Step.FILL, "Berapa NIK Anda"),
    ("resume", "press:baru", Step.KECAMATAN, "Di kecamatan mana"),
]


@pytest.mark.parametrize("at, inbound, step, fragment", STEPS, ids=[f"{c[0]}-{i}" for i, c in enumerate(STEPS)])
def test_step(make_chat: Callable[..., Any], at: str, inbound: Any, step: Step, fragment: str) -> None:
    chat = run(make_chat, at, inbound, profile=PROFILE if at == "profile" else None)
    assert chat.state.step == step, chat.text
    assert fragment in chat.text


COMMANDS: list[Case] = [
    ("idle", "batal", Step.IDLE, messages.NOTHING_TO_CANCEL),
    ("kelurahan", "batal", Step.IDLE, messages.CANCELLED),
    ("fill", "batal", Step.CONFIRM_CANCEL, messages.CONFIRM_CANCEL),
    ("fill", Command(name="batal"), Step.CONFIRM_CANCEL, messages.CONFIRM_CANCEL),
    ("fill", "/batal", Step.CONFIRM_CANCEL, messages.CONFIRM_CANCEL),
    ("fill", "Batal.", Step.CONFIRM_CANCEL, messages.CONFIRM_CANCEL),
    ("confirm_cancel", "batal", Step.IDLE, messages.CANCELLED),
    ("confirm_cancel", "kembali", Step.FILL, "Berapa NIK Anda"),
    ("consent", "kembali", Step.CONSENT, messages.FIRST_STEP),
    ("kecamatan", "kembali", Step.KECAMATAN, messages.FIRST_STEP),
    ("kelurahan", "kembali", Step.KECAMATAN, "Di kecamatan mana"),
    ("letter", Command(name="kembali"), Step.KELURAHAN, "Pilih kelurahan di Kecamatan Jekan Raya"),
    ("requirements", "kembali", Step.LETTER, "Surat apa yang Anda perlukan"),
    ("profile", "kembali", Step.REQUIREMENTS, "Persyaratan:"),
    ("fill_first", "kembali", Step.REQUIREMENTS, "Persyaratan:"),
    ("fill", "kembali", Step.FILL, "Jawaban tersimpan: Siti Aminah"),
    ("summary", "kembali", Step.FILL, "Kartu Keluarga (KK)"),
    ("fix_pick", "kembali", Step.SUMMARY, "Ringkasan permohonan"),
    ("resume", "kembali", Step.RESUME, messages.FIRST_STEP),
    ("idle", "bantuan", Step.IDLE, messages.HELP["idle"]),
    ("consent", "bantuan", Step.CONSENT, messages.HELP["consent"]),
    ("kecamatan", "help", Step.KECAMATAN, messages.HELP["kecamatan"]),
    ("kelurahan", "bantuan", Step.KELURAHAN, messages.HELP["kelurahan"]),
    ("letter", Command(name="bantuan"), Step.LETTER, messages.HELP["letter"]),
    ("requirements", "bantuan", Step.REQUIREMENTS, messages.HELP["requirements"]),
    ("profile", "bantuan", Step.PROFILE, messages.HELP["profile"]),
    ("fill", "bantuan", Step.FILL, "16 digit angka dan tertera pada KTP"),  # the field's own help
    ("summary", "bantuan", Step.SUMMARY, messages.HELP["summary"]),
    ("fix_pick", "bantuan", Step.FIX_PICK, messages.HELP["fix_pick"]),
    ("confirm_cancel", "bantuan", Step.CONFIRM_CANCEL, messages.HELP["confirm_cancel"]),
    ("resume", "bantuan", Step.RESUME, messages.HELP["resume"]),
    ("letter", Command(name="start"), Step.KECAMATAN, messages.WELCOME_BACK),
    ("fill", "/start", Step.RESUME, "Lanjutkan permohonan sebelumnya?"),
    ("fill", Command(name="/foo@esurat_bot"), Step.FILL, messages.NOT_UNDERSTOOD),
]


@pytest.mark.parametrize("at, inbound, step, fragment", COMMANDS, ids=[f"{c[0]}-{i}" for i, c in enumerate(COMMANDS)])
def test_command(make_chat: Callable[..., Any], at: str, inbound: Any, step: Step, fragment: str) -> None:
    chat = run(make_chat, at, inbound, profile=PROFILE if at == "profile" else None)
    assert chat.state.step == step, chat.text
    assert fragment in chat.text


@pytest.mark.parametrize("at", ["idle", "consent", "kecamatan", "kelurahan", "letter", "requirements", "fill",
                                "summary", "fix_pick", "confirm_cancel", "resume"])
@pytest.mark.parametrize("inbound", ["status", Command(name="status"), "/status"])
def test_status_everywhere(make_chat: Callable[..., Any], at: str, inbound: Any) -> None:
    chat = make_chat()
    reach(chat, at)
    before = chat.state.model_copy(update={"updated_at": None})
    chat.send(inbound)
    assert isinstance(chat.effects[0], ShowStatus)
    assert chat.state.model_copy(update={"updated_at": None}) == before
    if at != "idle":  # the question is asked again
        assert isinstance(chat.effects[-1], Reply | AskFile)


def test_consent_refused_keeps_nothing(chat: Any) -> None:
    chat.send("halo")
    chat.press("tidak")
    assert chat.text == messages.CONSENT_REFUSED
    assert chat.state.model_copy(update={"updated_at": None}) == ConversationState()
    assert not any(isinstance(e, SaveProfile | SubmitRequest) for e in chat.log)


def test_nothing_asked_before_consent(chat: Any) -> None:
    for text in ("halo", "6271034507900001", "Siti", "bukit tunggal"):
        chat.send(text)
        assert chat.state.step == Step.CONSENT
        assert chat.state.draft == ConversationState().draft


def test_visit_only_letter_collects_nothing(chat: Any) -> None:
    reach(chat, "letter")
    chat.press("ahli_waris")
    assert "Surat ini memerlukan pemeriksaan dokumen asli" in chat.text
    assert "Akta kelahiran para ahli waris" in chat.text
    assert chat.state.step == Step.IDLE and chat.state.draft.letter_type is None
    assert not chat.of(SubmitRequest)


def test_cancel_confirmed_emits_cancel_request(chat: Any) -> None:
    reach(chat, "confirm_cancel")
    chat.press("ya")
    assert chat.of(CancelRequest) == [CancelRequest(request_id=None)]
    assert chat.state.draft.fields == {} and chat.state.consent


def test_cancel_asks_again_after_cancel(chat: Any) -> None:
    reach(chat, "confirm_cancel")
    chat.press("ya")
    chat.send("halo")
    assert chat.state.step == Step.KECAMATAN and messages.WELCOME_BACK in chat.text


@pytest.mark.parametrize("step", ["consent", "kecamatan", "kelurahan", "letter", "requirements", "summary"])
def test_a_file_at_a_choice_step_is_explained_and_the_question_repeated(chat: Any, step: str) -> None:
    reach(chat, step)
    before = chat.state.model_dump(mode="json")
    chat.send(photo())
    assert chat.text.startswith("Maaf, saat ini kami belum memerlukan berkas")
    after = chat.state.model_dump(mode="json")
    before.pop("updated_at"), after.pop("updated_at")
    assert after == before
