"""The staff desk (`/desk`) in a real browser: Debian's headless Chromium driven by Playwright (sync API),
against the service on a loopback port (demo mode, so residents file through the web chat's API), with a
NON-demo staff member of Bukit Tunggal whose account is set up through its one-time link in the browser.

Screenshots of every step (full page) go to the test's tmp dir and to `test-output/web/desk-*.png` at the
repository root (git-ignored); a failing run leaves `desk-...-failure.png` there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pytest

from tests.support.webchat import NEEDS_CHROMIUM
from tests.web.desk_live import DeskLive, desk_live, file_sktm, resident_message  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "web"
PASSWORD = "kalimat sandi petugas rina"

pytestmark = NEEDS_CHROMIUM



class Walk:
    """One staff member's browser tab; `shot` saves a numbered full-page screenshot in both places."""

    def __init__(self, browser: Browser, live: DeskLive, name: str, tmp: Path) -> None:
        self.live, self.name, self.tmp = live, name, tmp
        self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.count = 0
        self.elsewhere: list[str] = []
        self.context.on("request", lambda r: None if r.url.startswith((live.base_url, "data:")) else
                        self.elsewhere.append(r.url))

    def file(self, step: str, ext: str = "png") -> list[Path]:
        self.count += 1
        name = f"desk-{self.name}-{self.count:02d}-{step}.{ext}"
        return [self.tmp / name, OUT / name]

    def shot(self, step: str, page: Page | None = None) -> None:
        first, *copies = self.file(step)
        (page or self.page).screenshot(path=str(first), full_page=True)
        for copy in copies:
            copy.write_bytes(first.read_bytes())

    def url(self, path: str) -> str:
        return self.live.base_url + path

    def set_up_and_log_in(self) -> None:
        """The one-time set-up link: a password; then the login form; then the desk's home."""
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.url(self.live.setup_path))
        expect(page.get_by_role("heading", name="Atur kata sandi")).to_be_visible()
        page.locator("#new").fill(PASSWORD)
        page.locator("#again").fill(PASSWORD)
        self.shot("set-up-link")
        page.get_by_role("button", name="Simpan kata sandi").click()
        expect(page.locator("body")).to_contain_text(f"Kata sandi akun {self.live.login} tersimpan.")
        self.shot("password-saved")
        page.get_by_role("link", name="Masuk ke meja petugas").click()
        page.wait_for_url("**/desk/masuk")
        page.locator("#login").fill(self.live.login)
        page.locator("#password").fill(PASSWORD)
        self.shot("login")
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/desk/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kelurahan Bukit Tunggal")
        expect(page.locator("body")).to_contain_text("Rina Wulandari")

    def open_request(self, code: str) -> None:
        """From the home's queue to the request's page."""
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.url("/desk/"))
        link = page.get_by_role("link", name=code, exact=True)
        expect(link).to_be_visible()
        self.shot(f"queue-{code}")
        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(code)
        page.wait_for_function("() => [...document.querySelectorAll('figure img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        overflow = page.evaluate("() => { const card = document.querySelector('.desk-card').getBoundingClientRect();"
                                 " return [...document.querySelectorAll('figure img')]"
                                 ".map(i => i.getBoundingClientRect().right - card.right); }")
        assert all(px <= 0 for px in overflow), f"attachments overflow the card by {overflow} px"
        self.shot(f"request-{code}")

    def decide(self, button: str, text: str | None = None) -> None:
        from playwright.sync_api import expect

        page = self.page
        form = page.locator("form", has=page.get_by_role("button", name=button, exact=True))
        if text is not None:
            form.locator("textarea").fill(text)
        form.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("status").first).to_contain_text("Keputusan tersimpan.")

    def close(self) -> None:
        self.context.close()
        assert not self.elsewhere, f"requests left the host: {self.elsewhere}"


@pytest.fixture
def walk(browser: Browser, desk_live: DeskLive, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Walk]:  # noqa: F811
    backend = "postgres" if desk_live.settings.storage.effective_database_url.startswith("postgresql") else "sqlite"
    w = Walk(browser, desk_live, request.node.name.removeprefix("test_").split("_")[0] + f"-{backend}", tmp_path)
    failed = request.session.testsfailed
    yield w
    if request.session.testsfailed > failed:  # the test's call failed (reported before teardown)
        w.shot("failure")
    w.close()


def test_approve_then_search_and_revoke_the_letter(desk_live: DeskLive, walk: Walk) -> None:  # noqa: F811
    """Log in, the queue, the request's KTP and draft, Setujui; the resident gets the letter; the letters
    page finds it by number; Cabut surat with a reason; its verification page says DICABUT."""
    from playwright.sync_api import expect

    filed = file_sktm(desk_live.base_url)
    page = walk.page
    walk.set_up_and_log_in()
    walk.open_request(filed.code)

    ktp = page.locator("figcaption a", has_text="KTP").first
    with page.expect_response(lambda r: "/lampiran/" in r.url) as answer:
        ktp.click()
    assert answer.value.status == 200 and answer.value.headers["content-type"].startswith("image/")
    walk.shot("ktp-attachment")
    page.go_back()

    draft_link = page.get_by_role("link", name="Pratinjau surat (DRAF)")
    draft = walk.context.request.get(walk.url(draft_link.get_attribute("href") or ""))
    assert draft.ok and draft.headers["content-type"] == "application/pdf" and draft.body().startswith(b"%PDF-")
    pdf_file, *copies = walk.file("draft-preview", "pdf")
    pdf_file.write_bytes(draft.body())
    first_page = pdfium.PdfDocument(draft.body())[0]
    assert "DRAF" in first_page.get_textpage().get_text_range()
    picture, *picture_copies = walk.file("draft-preview")
    first_page.render(scale=100 / 72).to_pil().save(picture)
    for copy in [*copies, *picture_copies]:
        copy.write_bytes((pdf_file if copy.suffix == ".pdf" else picture).read_bytes())

    walk.decide("Setujui")
    walk.shot("approved")
    letter = resident_message(desk_live.base_url, filed, lambda m: m.get("type") == "document" and "number" in m)
    number, verify_page = letter["number"], letter["verify_page"]

    page.get_by_role("link", name="Kembali ke daftar").click()
    page.get_by_role("link", name="Surat terbit").click()
    page.wait_for_url("**/desk/surat")
    page.locator("#q").fill(number)
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("table caption")).to_contain_text(f'Hasil pencarian "{number}" (1)')
    walk.shot("letter-found")
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Surat {number}")
    page.locator("#alasan").fill("Data penghasilan pemohon ternyata tidak benar.")
    walk.shot("revoke-reason")
    page.get_by_role("button", name="Cabut surat").click()
    expect(page.get_by_role("status")).to_have_text("Surat telah dicabut.")
    expect(page.locator("dd strong").first).to_contain_text("DICABUT")
    expect(page.get_by_role("button", name="Cabut surat")).to_have_count(0)  # nothing left to do but read
    expect(page.get_by_role("button", name="Kirim ulang ke warga")).to_have_count(0)
    walk.shot("revoked")

    assert verify_page.startswith(f"{desk_live.base_url}/v/")
    page.goto(verify_page)
    expect(page.locator(".banner .word")).to_have_text("DICABUT")
    walk.shot("verification-dicabut")
    told = resident_message(desk_live.base_url, filed, lambda m: "telah DICABUT" in m.get("text", ""))
    assert "Data penghasilan pemohon ternyata tidak benar." in told["text"]


def test_reject_and_ask_for_a_correction(desk_live: DeskLive, walk: Walk) -> None:  # noqa: F811
    """Two requests: Tolak with a reason, Minta perbaikan with a note; each resident reads it in the chat."""
    rejected, revised = file_sktm(desk_live.base_url), file_sktm(desk_live.base_url)
    walk.set_up_and_log_in()

    walk.open_request(rejected.code)
    walk.decide("Tolak", "Surat pengantar RT/RW sudah lewat masa berlakunya.")
    walk.shot("rejected")
    told = resident_message(desk_live.base_url, rejected, lambda m: "DITOLAK" in m.get("text", ""))
    assert "Alasan: Surat pengantar RT/RW sudah lewat masa berlakunya." in told["text"]

    walk.open_request(revised.code)
    walk.decide("Minta perbaikan", "Alamat belum lengkap, mohon perbaiki Alamat.")
    walk.shot("revision-asked")
    told = resident_message(desk_live.base_url, revised, lambda m: "meminta perbaikan" in m.get("text", ""))
    assert "Catatan petugas: Alamat belum lengkap, mohon perbaiki Alamat." in told["text"]
