"""`/periksa` in headless Chromium on a phone, with a fake camera filming a real letter's QR code: a letter is
issued through the demo (approved by the demo officer), its QR is rendered into a Y4M video the browser's fake
camera plays; the page reads it (jsQR: Chromium on Linux has no BarcodeDetector), checks the seal with WebCrypto
Ed25519 against the published keys and says ASLI, asked online too. Then the network is cut: the page reloads
from its service worker and checks the QR again with the kept keys (revocation not checked, and it says so); a
photo of the QR reads the same; a tampered seal is TIDAK VALID; other text is not an e-Surat QR. Screenshots go
to test-output/web/periksa-*.png, and no request leaves the host."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import httpx
from PIL import Image

from bot.composition import build_services
from config.settings import Settings
from letters.qr import encode_qr
from lifecycle.actors import Actor
from lifecycle.transitions import ActorKind
from tests.support.webchat import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, Live, Resident, sktm_script
from tests.web.test_api import act, cards

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

OUT = Path(__file__).resolve().parents[2] / "test-output" / "web"
WIDTH, HEIGHT, MODULE = 640, 480, 5
pytestmark = NEEDS_CHROMIUM


def issued_letter(base_url: str) -> str:
    """The QR text of an SKTM letter issued through the demo: ``{public_url}/v/{id}#{seal}``."""
    async def run() -> str:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            resident = Resident(client)
            await resident.open()
            await resident.run(sktm_script())
            [card] = (await cards(client))["cards"]
            assert (await act(client, card["request_id"], "approve")).status_code == 200
            [doc] = [m for m in await resident.poll() if m["type"] == "document"]
            url: str = doc["verify_url"]
            return url

    with ThreadPoolExecutor(1) as pool:  # (Playwright's sync API runs an event loop in this thread)
        return pool.submit(asyncio.run, run()).result()


def revoke(settings: Settings, number: str) -> None:
    """Revoked by services of their own, as by `esurat letter revoke` in another process: the served page learns
    of it from its change feed (`verification.record_cache`, within `verify_change_poll_seconds`)."""

    async def run() -> None:
        services = build_services(settings)
        try:
            await services.issuing.revoke(number, Actor(ActorKind.SYSTEM, name="uji"), "Data pemohon keliru")
        finally:
            await services.aclose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def served_verdict(qr_text: str, expected: str, within: float = 10.0) -> None:
    """Wait until the service's own answer for the QR's letter is `expected` (at most `within` seconds)."""
    url = qr_text.split("#")[0]
    deadline = time.monotonic() + within
    while (said := httpx.get(url, headers={"Accept": "application/json"}).json()["status"]) != expected:
        assert time.monotonic() < deadline, f"{url} still says {said}"
        time.sleep(0.1)


def qr_image(text: str) -> Image.Image:
    """The QR code, black on white with its quiet zone, in the middle of a grey camera frame."""
    matrix = encode_qr(text)
    side = (matrix.size + 8) * MODULE
    code = Image.new("L", (matrix.size + 8, matrix.size + 8), 255)
    for y, row in enumerate(matrix.rows):
        for x, dark in enumerate(row):
            if dark:
                code.putpixel((x + 4, y + 4), 0)
    frame = Image.new("L", (WIDTH, HEIGHT), 170)
    frame.paste(code.resize((side, side), Image.Resampling.NEAREST), ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    return frame


def write_y4m(frame: Image.Image, path: Path, frames: int = 10) -> None:
    """A still video in YUV 4:2:0 (grey: the chroma planes are flat) for Chromium's fake camera."""
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F25:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + luma + chroma + chroma)


def note_elsewhere(base: str, seen: list[str], request: Request) -> None:
    if not request.url.startswith((base, "data:", "blob:")):
        seen.append(request.url)


def verdict(page: Page, action: str, online: str | None = None) -> str:
    """The verdict after `action` (a button to click, or text to paste), and once asked, the online answer."""
    page.evaluate("() => { delete document.getElementById('periksa').dataset.verdict }")
    if action == "camera":
        page.click("#buka-kamera")
    else:
        page.fill("#teks", action)
        page.click("#form-teks button")
    page.wait_for_selector("#periksa[data-verdict]", timeout=20_000)
    if online is not None:
        page.wait_for_selector(f'#periksa[data-online="{online}"]', timeout=10_000)
    return page.locator("#vonis-kata").inner_text()


def test_the_camera_reads_a_real_letter_and_checks_it_online_and_offline(live_demo: Live, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    qr_text = issued_letter(live_demo.base_url)
    assert qr_text.startswith(f"{live_demo.base_url}/v/") and "#ES1:" in qr_text
    frame = qr_image(qr_text)
    write_y4m(frame, tmp_path / "qr.y4m")
    frame.save(tmp_path / "foto.png")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={tmp_path / 'qr.y4m'}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *camera], headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        elsewhere: list[str] = []
        context.on("request", partial(note_elsewhere, live_demo.base_url, elsewhere))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_demo.base_url}/periksa")
        page.wait_for_selector('#periksa[data-cached="yes"]', timeout=20_000)

        assert verdict(page, "camera", online="ASLI") == "ASLI"
        assert page.locator("#buka-kamera").is_visible() and not page.locator("#tutup-kamera").is_visible()
        text = page.locator("#hasil").inner_text()
        assert "Segel sah" in text and "Diperiksa daring juga" in text
        fields = page.locator("#isi-segel").inner_text()
        assert "Surat Keterangan Tidak Mampu" in fields and "Bukit Tunggal" in fields and "/001/" in fields
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(OUT / "periksa-camera.png"), full_page=True)

        context.set_offline(True)
        reloaded = page.reload()
        assert reloaded is not None and reloaded.from_service_worker
        page.wait_for_selector("#buka-kamera")
        assert "Tanpa koneksi" in page.locator("#sambungan").inner_text()
        assert verdict(page, "camera", online="offline") == "ASLI"
        assert "tidak dapat mengetahui apakah surat telah dicabut" in page.locator("#luring").inner_text()
        assert "status pencabutan surat belum diperiksa" in page.locator("#daring").inner_text()
        page.screenshot(path=str(OUT / "periksa-offline.png"), full_page=True)

        page.evaluate("() => { delete document.getElementById('periksa').dataset.verdict }")
        page.set_input_files("#foto", str(tmp_path / "foto.png"))
        page.wait_for_selector("#periksa[data-verdict]", timeout=20_000)
        assert page.locator("#vonis-kata").inner_text() == "ASLI"

        url, seal = qr_text.split("#")
        last = seal[-1]
        tampered = f"{url}#{seal[:-1]}{'1' if last != '1' else '2'}"
        assert verdict(page, tampered) == "TIDAK VALID"
        assert not page.locator("#isi-segel").is_visible()  # nothing vouches for what a bad seal says
        page.screenshot(path=str(OUT / "periksa-tampered.png"), full_page=True)
        number_changed = f"{url}#{seal.replace('/001/', '/002/', 1)}"
        assert number_changed != qr_text and verdict(page, number_changed) == "TIDAK VALID"
        assert verdict(page, "https://contoh.id/bukan-surat") == "BUKAN QR e-SURAT"
        assert not page.locator("#isi-segel").is_visible()
        kid = unquote(seal).split(":")[1]
        other_key = f"{url}#{seal.replace(f'ES1:{kid}:', 'ES1:ZZZZ:', 1)}"
        assert verdict(page, other_key) == "TIDAK DAPAT DIPERIKSA"  # offline: perhaps a key published since

        context.set_offline(False)
        assert verdict(page, tampered, online="TIDAK VALID") == "TIDAK VALID"
        page.evaluate("() => { delete document.getElementById('periksa').dataset.verdict }")
        page.reload()  # online again: fresh keys, so an unknown key is not one of ours
        assert verdict(page, other_key, online="TIDAK VALID") == "TIDAK VALID"
        revoke(live_demo.settings, unquote(seal).split(":")[2])
        served_verdict(qr_text, "DICABUT")
        assert verdict(page, qr_text, online="DICABUT") == "DICABUT"
        assert "Surat Keterangan Tidak Mampu" in page.locator("#isi-segel").inner_text()
        assert "Alasan: Data pemohon keliru" in page.locator("#daring").inner_text()
        page.screenshot(path=str(OUT / "periksa-revoked.png"), full_page=True)
        browser.close()
    assert errors == [] and elsewhere == [], (errors, elsewhere)
