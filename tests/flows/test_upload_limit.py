"""The upload limit comes from the `upload_max_bytes` setting through `Context`, not from the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows import AskFile, FileReceived, Step, messages
from tests.support.flows import photo

MB = 1024 * 1024


def _at_the_ktp_upload(make_chat: Callable[..., Any], limit: int) -> Any:
    chat = make_chat(upload_max_bytes=limit)
    chat.start()
    chat.choose_letter("sku")
    chat.fill(submit=False)
    chat.send("ubah ktp")
    assert isinstance(chat.prompt, AskFile) and chat.prompt.attachment_kind == "ktp"
    return chat


def test_a_2_mb_limit_refuses_a_3_mb_file_and_says_2_mb(make_chat: Callable[..., Any]) -> None:
    chat = _at_the_ktp_upload(make_chat, 2 * MB)
    assert "paling besar 2 MB" in chat.text and "10 MB" not in chat.text
    chat.send(photo("big", size=3 * MB))
    assert "Ukuran berkas 3,0 MB melebihi batas 2 MB" in chat.text
    assert chat.state.draft.attachments["ktp"] != "big"
    chat.send("ini KTP saya")
    assert messages.file_expected(2 * MB) in chat.text and "paling besar 2 MB" in chat.text
    chat.send(photo("ktp-kecil", size=2 * MB))
    assert chat.state.step == Step.SUMMARY and chat.state.draft.attachments["ktp"] == "ktp-kecil"


def test_the_default_limit_reads_as_before(make_chat: Callable[..., Any]) -> None:
    chat = _at_the_ktp_upload(make_chat, 10 * MB)
    assert "(Kirim sebagai foto atau dokumen JPG, PNG, atau PDF; paling besar 10 MB.)" in chat.text
    assert messages.file_expected(10 * MB) == "Mohon kirim foto atau dokumen (JPG, PNG, atau PDF, paling besar 10 MB)."


def test_megabytes() -> None:
    assert [messages.megabytes(n) for n in (10 * MB, 2 * MB, 3 * MB // 2, 512 * 1024)] == ["10", "2", "1,5", "0,5"]



def test_the_intakes_reason_for_refusing_a_file_is_what_the_resident_reads(make_chat: Callable[..., Any]) -> None:
    chat = _at_the_ktp_upload(make_chat, 10 * MB)
    chat.send(FileReceived(file_ref="", media_type="application/octet-stream", size=10,
                           refused="Berkas rusak atau terpotong; kirim ulang."))
    assert "Berkas rusak atau terpotong" in chat.text and "octet-stream" not in chat.text
    assert isinstance(chat.prompt, AskFile) and chat.prompt.attachment_kind == "ktp"
