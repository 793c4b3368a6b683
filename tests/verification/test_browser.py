"""The page in a real browser: the seal travels in the URL fragment, which browsers never
send; the page's script moves it into ?s= so the server checks it (Debian chromium)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.letter_samples import letter_types
from tests.support.letters import qr_texts
from tests.support.verification import Service

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_opening_the_qr_link_checks_the_seal_from_the_fragment(service: Service, browser: Browser) -> None:
    issued = service.issue(letter_types()[0])
    (url,) = qr_texts(issued.pdf_bytes)
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(url)
    page.wait_for_url("**?s=*")
    assert page.locator(".banner .word").inner_text() == "ASLI"
    assert "Tanda tangan segel QR sah" in page.inner_text("body")
    assert errors == []  # the CSP lets the script run and blocks nothing the page needs

    tampered = url[:-10] + ("1" if url[-10] != "1" else "2") + url[-9:]
    page.goto(tampered)
    page.wait_for_url("**?s=*")
    assert page.locator(".banner .word").inner_text() == "TIDAK VALID"
    page.close()


def test_the_upload_form_checks_a_pdf(service: Service, browser: Browser, tmp_path: Path) -> None:
    issued = service.issue(letter_types()[0])
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(issued.pdf_bytes)
    page = browser.new_page()
    page.goto(f"{service.base_url}/v/{issued.public_id}")
    page.set_input_files("input[name=pdf]", str(pdf))
    page.click("button[type=submit]")
    page.wait_for_url("**/check")
    assert "Sama persis dengan surat yang diterbitkan" in page.inner_text("body")
    assert "Utuh dan sah" in page.inner_text("body")
    page.close()
