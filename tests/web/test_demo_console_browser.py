"""The demo in a real browser with the desk console in the staff pane: the resident files an SKTM in the chat,
the staff approves inside the framed console (logged in as the demo staff, no account set up), and the letter
reaches the resident's chat. Screenshots: test-output/web/console-*.png (a failing run: console-failure.png)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.webchat import NEEDS_CHROMIUM, Live, chromium, sktm_script

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "web"
KTP_FILE = REPO / "bot" / "webchat" / "static" / "ktp-contoh.png"

pytestmark = NEEDS_CHROMIUM


def submit_sktm(page: Page) -> None:
    """The SKTM conversation in the resident pane, by its buttons, typed answers and the sample KTP."""
    log, choices = page.locator("#chat-log .msg.bot"), page.locator("#chat-choices")
    for step in sktm_script():
        before = log.count()
        if step.kind == "start":
            choices.get_by_role("button", name="Mulai", exact=True).click()
        elif step.kind == "choice":
            choices.get_by_role("button", name=step.title, exact=True).click()
        elif step.kind == "text":
            page.get_by_label("Tulis pesan").fill(step.value)
            page.get_by_label("Tulis pesan").press("Enter")
        elif step.value == "ktp":
            page.get_by_role("button", name="Kirim contoh KTP").click()
        else:
            page.get_by_label("Kirim foto atau dokumen").set_input_files(str(KTP_FILE))
        page.wait_for_function("n => document.querySelectorAll('#chat-log .msg.bot').length > n", arg=before)


def test_the_staff_approves_in_the_framed_console(live_demo: Live) -> None:
    from playwright.sync_api import expect

    OUT.mkdir(parents=True, exist_ok=True)
    base = live_demo.base_url
    shots = iter(range(1, 100))
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.set_default_timeout(20_000)

        def shot(name: str) -> None:
            page.screenshot(path=str(OUT / f"console-{next(shots):02d}-{name}.png"), full_page=True)

        try:
            page.goto(f"{base}/demo")
            page.get_by_role("button", name="Meja petugas").click()
            desk = page.frame_locator('iframe[title="Meja petugas (demo)"]')
            expect(desk.get_by_role("heading", name="Meja Petugas · Kelurahan Bukit Tunggal")).to_be_visible()
            expect(desk.locator("body")).to_contain_text("Petugas Demo (data contoh)")
            shot("console-opened")
            submit_sktm(page)
            expect(page.locator("#chat-log .msg.bot").last).to_contain_text("telah diterima")
            row = desk.locator("table a[href^='/desk/permohonan/']").first  # the console follows (live.js)
            expect(row).to_be_visible()
            shot("queue")
            row.click()
            expect(desk.get_by_role("button", name="Setujui", exact=True)).to_be_visible()
            shot("request")
            desk.get_by_role("button", name="Setujui", exact=True).click()
            expect(desk.locator("body")).to_contain_text("Keputusan tersimpan.")
            doc = page.locator("#chat-log .msg.doc")
            expect(doc).to_contain_text("telah terbit")
            shot("letter-in-chat")
        except Exception:
            page.screenshot(path=str(OUT / "console-failure.png"), full_page=True)
            raise
        finally:
            context.close()
