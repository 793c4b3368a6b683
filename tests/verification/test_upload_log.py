"""A tampered PDF upload logs one line of its own, not the PDF library's traceback (issue #11)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from tests.support.letter_samples import letter_types
from tests.support.letters import HOLDER, NIK, make_kit
from tests.support.verification import Service, build_app
from verification.records import MemoryRecordSource

# Hex digits of the CMS signature (inside /Contents) that, changed, make pyHanko log a traceback
# ("Processing error in validation process") before it gives up on the signature.
TAMPERED_DIGITS = (220, 240, 256)


def tampered(pdf: bytes, digit: int) -> bytes:
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", pdf)
    assert contents is not None
    at = contents.start(1) + digit
    return pdf[:at] + (b"f" if pdf[at:at + 1] != b"f" else b"e") + pdf[at + 1:]


@pytest.mark.parametrize("digit", TAMPERED_DIGITS)
async def test_a_tampered_signature_logs_one_line_without_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, digit: int,
) -> None:
    kit = make_kit(tmp_path)
    service = Service("http://test", kit, MemoryRecordSource(), {})
    issued = service.issue(letter_types()[0])
    app = build_app(kit, service.source)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        with caplog.at_level(logging.DEBUG):
            answer = await client.post(f"/v/{issued.public_id}/check", headers={"Accept": "application/json"},
                                       files={"pdf": ("surat.pdf", tampered(issued.pdf_bytes, digit))})
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "httpx"]  # httpx: the client
    assert [r.name for r in lines] == ["verification.router"], caplog.text
    assert lines[0].getMessage().startswith("Pemeriksaan berkas unggahan: BERBEDA")
    assert all(r.exc_info is None for r in caplog.records) and "Traceback" not in caplog.text
    assert NIK not in caplog.text and HOLDER.split()[0] not in caplog.text.upper()
    assert issued.spec.number not in caplog.text
    assert answer.json()["status"] == "BERBEDA"
