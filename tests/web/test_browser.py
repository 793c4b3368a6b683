"""The demo in a real browser: Debian's headless Chromium driven by Playwright (sync API).

Screenshots of every step are written to `test-output/web/` at the repository root (git-ignored),
e.g. `test-output/web/sktm-07-staff-card.png`; a failing run leaves `...-failure.png` there too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

from tests.support.webchat import NEEDS_CHROMIUM, SAMPLE_KTP, Live, Resident, sktm_script

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "web"
KTP_FILE = REPO / "bot" / "webchat" / "static" / "ktp-contoh.png"
T = TypeVar("T")

pytestmark = NEEDS_CHROMIUM



def test_resident_requests_sktm_staff_approves_and_the_qr_link_says_asli(live_demo: Live, browser: Browser) -> None:
    """Resident pane: SKTM from "Mulai" to "Kirim", with a file chosen in the file input and the
    shipped sample KTP; staff pane: the card with its three images, Setujui; resident pane: the
    PDF downloads; the QR link opens the verification page on the same host: ASLI."""
    from playwright.sync_api import expect

    base = live_demo.base_url
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    elsewhere: list[str] = []
    context.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else elsewhere.append(r.url))
    shots = iter(range(1, 100))

    def shot(name: str, target: Page | None = None) -> None:
        (target or page).screenshot(path=str(OUT / f"sktm-{next(shots):02d}-{name}.png"), full_page=True)

    log = page.locator("#chat-log .msg.bot")
    choices = page.locator("#chat-choices")

    def answered(count: int) -> None:
        page.wait_for_function("n => document.querySelectorAll('#chat-log .msg.bot').length > n", arg=count)

    try:
        page.goto(f"{base}/demo")
        expect(page.get_by_role("heading", name="Warga")).to_be_visible()
        expect(page.locator("#staff-name")).to_have_text("Petugas Demo (data contoh)")
        shot("demo-opened")
        milestones = {"SKTM": "letter-chosen", "ktp": "sample-ktp-sent"}
        for step in sktm_script():
            before = log.count()
            if step.kind == "start":
                choices.get_by_role("button", name="Mulai", exact=True).click()
            elif step.kind == "choice":
                if step.value == "kirim":
                    expect(log.nth(before - 2)).to_contain_text("Ringkasan permohonan")
                    shot("summary")
                choices.get_by_role("button", name=step.title, exact=True).click()
            elif step.kind == "text":
                page.get_by_label("Tulis pesan").fill(step.value)
                page.get_by_label("Tulis pesan").press("Enter")
            elif step.value == "ktp":
                page.get_by_role("button", name="Kirim contoh KTP").click()
            else:
                page.get_by_label("Kirim foto atau dokumen").set_input_files(str(KTP_FILE))
            answered(before)
            if step.kind == "start":
                expect(log.last).to_contain_text("Pelindungan Data Pribadi")
                shot("consent")
            if (step.title or step.value) in milestones:
                shot(milestones[step.title or step.value])
        expect(log.last).to_contain_text("telah diterima")
        shot("submitted")

        page.get_by_role("button", name="Ruang moderasi").click()  # the cards; the pane opens on the console
        card = page.locator("#cards article.card").first
        expect(card.get_by_role("button", name="Setujui")).to_be_visible()
        expect(card).to_contain_text("Siti Aminah")
        images = card.locator(".atts img")
        expect(images).to_have_count(3)
        page.wait_for_function("() => [...document.querySelectorAll('#cards .atts img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        shot("staff-card")
        card.get_by_role("button", name="Setujui").click()
        expect(card.locator(".outcome")).to_contain_text("DISETUJUI, surat terbit")
        doc = page.locator("#chat-log .msg.doc")
        expect(doc).to_contain_text("telah terbit")
        shot("approved-letter-in-chat")

        with page.expect_download() as download:
            doc.get_by_role("link", name="Unduh surat (PDF)").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

        verify_url = doc.get_by_role("link", name="Periksa keaslian (tautan kode QR)").get_attribute("href")
        assert verify_url and verify_url.startswith(f"{base}/v/") and "#" in verify_url
        check = context.new_page()
        check.goto(verify_url)
        expect(check.locator(".banner .word")).to_have_text("ASLI")
        expect(check.locator("body")).to_contain_text("Surat Keterangan Tidak Mampu")
        shot("verification-asli", check)
        assert not elsewhere, f"requests left the host: {elsewhere}"
    except Exception:
        page.screenshot(path=str(OUT / "sktm-failure.png"), full_page=True)
        raise
    finally:
        context.close()


def _in_thread(coro_fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a coroutine outside the loop Playwright's sync API keeps running in this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn(*args))).result()


async def _submit_over_api(base: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as client:
        resident = Resident(client)
        await resident.open()
        await resident.run(sktm_script())
        return client.cookies


async def _messages(base: str, cookies: httpx.Cookies) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base, cookies=cookies) as client:
        return await Resident(client).poll()


def test_staff_asks_for_a_correction_with_a_note_in_the_pane(live_demo: Live, browser: Browser) -> None:
    """A request filed by another session (over the API); in the staff pane another kelurahan shows
    nothing, "Minta perbaikan" opens a note form (required), and the outcome replaces the buttons.
    Screenshots: test-output/web/revise-*.png."""
    from playwright.sync_api import expect

    cookies = _in_thread(_submit_over_api, live_demo.base_url)
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_demo.base_url}/demo?kelurahan=menteng")
        expect(page.get_by_label("Ruang moderasi kelurahan")).to_have_value("menteng")
        page.get_by_role("button", name="Ruang moderasi").click()  # the cards; the pane opens on the console
        expect(page.locator("#cards .empty")).to_be_visible()
        page.get_by_label("Ruang moderasi kelurahan").select_option("bukit-tunggal")
        card = page.locator("#cards article.card").first
        card.get_by_role("button", name="Minta perbaikan").click()
        note = card.get_by_label("Tulis catatan perbaikan (sebutkan data yang salah)")
        expect(note).to_be_focused()
        card.locator("form.reason").get_by_role("button", name="Minta perbaikan").click()  # empty: refused
        assert note.evaluate("el => el.validity.valueMissing")
        note.fill("Alamat belum lengkap, mohon perbaiki Alamat.")
        page.screenshot(path=str(OUT / "revise-1-note.png"), full_page=True)
        card.locator("form.reason").get_by_role("button", name="Minta perbaikan").click()
        expect(card.locator(".outcome")).to_contain_text("MENUNGGU PERBAIKAN WARGA")
        expect(card.get_by_role("button")).to_have_count(0)
        page.screenshot(path=str(OUT / "revise-2-done.png"), full_page=True)
    finally:
        context.close()
    new = _in_thread(_messages, live_demo.base_url, cookies)
    assert any("Alamat belum lengkap" in m.get("text", "") for m in new)


@pytest.mark.parametrize("path", ["/", "/layanan", "/demo"])
def test_pages_fit_a_phone(live_demo: Live, browser: Browser, path: str) -> None:
    """Each page on a 360 px wide phone: no sideways scrolling; screenshot in test-output/web/phone-*.png."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(live_demo.base_url + path)
    page.wait_for_load_state("networkidle") if path != "/demo" else page.wait_for_selector("#chat-choices button")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    name = path.strip("/") or "home"
    page.screenshot(path=str(OUT / f"phone-{name}.png"), full_page=True)
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    assert SAMPLE_KTP  # shipped with the demo
