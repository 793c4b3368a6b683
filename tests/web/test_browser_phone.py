"""The web chat on a phone (390 x 844, touch) in Debian's headless Chromium: a resident's SKTM, a correction
the staff ask for in the pane of a second page (the note names "alamat"), the resident's answers (the test
reads the chat's last question and answers it, so it holds however the correction round is asked), the
staff's approval, the letter. A screenshot of every step is written to the test's tmp dir only."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.webchat.resident_routes import MAX_TEXT, TOO_LONG
from tests.support.webchat import NEEDS_CHROMIUM, Live, chromium, sktm_script

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

KTP_FILE = Path(__file__).resolve().parents[2] / "bot" / "webchat" / "static" / "ktp-contoh.png"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "id-ID"}
NOTE = "Alamat belum lengkap: tulis juga nama gang. Mohon perbaiki alamat."
NEW_ADDRESS = "Jl. G. Obos XII Gg. Damai No. 5"
KEEP = re.compile(r"^(lanjut|tetap|pakai|gunakan|simpan)", re.IGNORECASE)

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


class Chat:
    """The resident's pane of one page: what the bot said last, its buttons, and answering it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.bot = page.locator("#chat-log .msg.bot")
        self.buttons = page.locator("#chat-choices button")

    def last(self) -> str:
        return self.bot.last.inner_text()

    def recent(self, n: int) -> str:
        """The last `n` bubbles' text (a summary comes in a bubble of its own before its question)."""
        return "\n".join(self.bot.all_inner_texts()[-n:])

    def titles(self) -> list[str]:
        return self.buttons.all_inner_texts()

    def _answered(self, before: int) -> None:
        self.page.wait_for_function("n => document.querySelectorAll('#chat-log .msg.bot').length > n", arg=before)

    def press(self, title: str) -> None:
        before = self.bot.count()
        self.buttons.filter(has_text=re.compile(f"^{re.escape(title)}$")).first.click()
        self._answered(before)

    def type(self, text: str) -> None:
        before = self.bot.count()
        self.page.get_by_label("Tulis pesan").fill(text)
        self.page.get_by_label("Tulis pesan").press("Enter")
        self._answered(before)

    def send_file(self) -> None:
        before = self.bot.count()
        self.page.get_by_label("Kirim foto atau dokumen").set_input_files(str(KTP_FILE))
        self._answered(before)


def answer_the_correction(chat: Chat, shot: Callable[[str], None]) -> list[str]:
    """Answer what the chat asks until the request is sent again: the address gets its new value, every other
    question keeps its answer (or its file), the summary is sent. The questions seen, in order."""
    asked: list[str] = []
    for _ in range(30):
        text, titles = chat.last(), chat.titles()
        asked.append(text)
        lower = text.lower()
        if "telah diterima" in lower or "dikirim ulang" in lower:
            return asked
        if "Kirim" in titles and "ringkasan" in (summary := chat.recent(3)).lower():
            assert NEW_ADDRESS in summary, summary
            shot("corrected-summary")
            chat.press("Kirim")
        elif "alamat tempat tinggal" in lower:
            chat.type(NEW_ADDRESS)
        elif keep := [t for t in titles if KEEP.match(t)]:
            chat.press(keep[0])
        elif "ketik lanjut" in lower or '"lanjut"' in lower or "*lanjut*" in lower:
            chat.type("lanjut")
        elif "kirim foto" in lower or "berkas" in lower:
            chat.send_file()
        else:
            raise AssertionError(f"no answer for: {text!r} {titles}")
        shot("correction-answered")
    raise AssertionError(f"the correction round did not end: {asked[-3:]}")


def test_a_correction_round_on_a_phone(live_demo: Live, browser: Browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, shots_dir = live_demo.base_url, tmp_path / "screenshots"
    shots_dir.mkdir()
    contexts: list[BrowserContext] = []

    def phone() -> Page:
        contexts.append(browser.new_context(**PHONE))  # type: ignore[arg-type]
        page = contexts[-1].new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/demo")
        return page

    resident, staff = phone(), phone()  # the staff's pane in a second page (a browser of its own)
    count = iter(range(1, 100))

    def shot(name: str, page: Page | None = None) -> None:
        (page or resident).screenshot(path=str(shots_dir / f"{next(count):02d}-{name}.png"))

    chat = Chat(resident)
    try:
        for step in sktm_script():
            if step.kind == "start":
                chat.press("Mulai")
            elif step.kind == "choice":
                chat.press(step.title)
            elif step.kind == "text":
                chat.type(step.value)
            else:
                chat.send_file()
            if step.title == "SKTM":
                shot("sktm-chosen")
        expect(chat.bot.last).to_contain_text("telah diterima")
        shot("submitted")

        staff.get_by_role("button", name="Ruang moderasi").click()  # the cards; the pane opens on the console
        card = staff.locator("#cards article.card").first
        expect(card).to_contain_text("Jl. G. Obos XII No. 5")
        card.get_by_role("button", name="Minta perbaikan").click()
        card.get_by_label(re.compile("catatan perbaikan", re.IGNORECASE)).fill(NOTE)
        shot("staff-note", staff)
        card.locator("form.reason").get_by_role("button", name="Minta perbaikan").click()
        expect(card.locator(".outcome")).to_contain_text("MENUNGGU PERBAIKAN WARGA")
        shot("staff-waiting", staff)

        expect(chat.bot.last).to_contain_text(NOTE)
        expect(chat.bot.last).to_contain_text("alamat", ignore_case=True)
        shot("correction-asked")
        asked = answer_the_correction(chat, shot)
        (shots_dir / "correction-questions.txt").write_text("\n=====\n".join(asked), encoding="utf-8")
        assert any("alamat tempat tinggal" in q.lower() for q in asked), asked
        shot("resubmitted")

        expect(card).to_contain_text(NEW_ADDRESS)
        expect(card.get_by_role("button", name="Setujui")).to_be_visible()
        shot("staff-sees-correction", staff)
        card.get_by_role("button", name="Setujui").click()
        expect(card.locator(".outcome")).to_contain_text("DISETUJUI")
        shot("staff-approved", staff)

        doc = resident.locator("#chat-log .msg.doc")
        expect(doc).to_contain_text("telah terbit")
        expect(doc.get_by_role("link", name="Unduh surat (PDF)")).to_be_visible()
        doc.scroll_into_view_if_needed()
        shot("letter-received")
        overflow = resident.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the chat scrolls sideways by {overflow}px on a phone"
    except Exception:
        shot("failure")
        shot("failure-staff", staff)
        raise
    finally:
        for context in contexts:
            context.close()
    assert len(list(shots_dir.glob("*.png"))) >= 10


def test_a_text_over_the_limit_is_said_and_kept_on_a_phone(live_demo: Live, browser: Browser,
                                                            tmp_path: Path) -> None:
    """The page holds to the server's one limit: a longer text is not sent (nor cut) but stays in the input,
    with the server's sentence; a text of the limit is sent."""
    from playwright.sync_api import expect

    context = browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_demo.base_url}/demo")
        field = page.get_by_label("Tulis pesan")
        field.fill("ä" * (MAX_TEXT + 1))
        field.press("Enter")
        expect(page.locator("#chat-log .msg.system.warn").last).to_have_text(TOO_LONG)
        expect(page.locator("#chat-log .msg.me")).to_have_count(0)
        assert len(field.input_value()) == MAX_TEXT + 1
        page.screenshot(path=str(tmp_path / "text-too-long.png"))
        field.fill("a" * MAX_TEXT)
        field.press("Enter")
        expect(page.locator("#chat-log .msg.bot")).not_to_have_count(0)
        expect(page.locator("#chat-log .msg.me")).to_have_count(1)
    finally:
        context.close()
