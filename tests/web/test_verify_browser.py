"""The verification page on a phone in Chromium: after uploading an altered PDF the verdict is in the
banner, on the first screen (issue #11: "BERBEDA" sat below the fold under a big green ASLI).

Screenshots go to `test-output/web/verify-*.png` at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.letter_samples import letter_types
from tests.support.verification import Service
from tests.support.webchat import NEEDS_CHROMIUM, chromium
from tests.verification.conftest import service  # noqa: F401 - the running verification service

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "web"
PHONE_WIDTH, PHONE_HEIGHT = 390, 844

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    OUT.mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


def upload_on_a_phone(browser: Browser, running: Service, file: Path, shot: str) -> Page:
    issued = running.issue(letter_types()[0])
    page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    page.goto(f"{running.base_url}/v/{issued.public_id}")
    page.set_input_files("input[name=pdf]", str(file))
    page.click("button[type=submit]")
    page.wait_for_url("**/check")
    page.screenshot(path=str(OUT / f"verify-{shot}.png"))
    return page


def on_first_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT


def test_an_altered_pdf_shows_berbeda_in_the_banner_on_the_first_screen(
    service: Service, browser: Browser, tmp_path: Path,  # noqa: F811
) -> None:
    genuine = service.issue(letter_types()[0]).pdf_bytes
    changed = bytearray(genuine)
    changed[genuine.index(b"stream") + 40] ^= 0x01
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(bytes(changed))
    page = upload_on_a_phone(browser, service, pdf, "altered-phone")
    assert page.locator(".banner .word").inner_text() == "BERBEDA"
    assert "BERBEDA dari surat nomor" in page.locator(".banner").inner_text()
    assert on_first_screen(page, ".banner") and "ASLI" not in page.locator(".banner").inner_text()
    colour = page.locator(".banner").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)"  # the red of TIDAK VALID and DICABUT
    page.close()


def test_a_text_file_says_not_a_pdf_on_the_first_screen(
    service: Service, browser: Browser, tmp_path: Path,  # noqa: F811
) -> None:
    text = tmp_path / "surat.pdf"
    text.write_text("Ini bukan PDF.\n")
    page = upload_on_a_phone(browser, service, text, "not-pdf-phone")
    assert page.locator(".banner .word").inner_text() == "BUKAN PDF"
    assert on_first_screen(page, ".banner")
    page.close()
