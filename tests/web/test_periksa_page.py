"""`/periksa` and its service worker over HTTP (in-process, every database backend): the page allows a worker
from this origin and no inline script, the worker keeps exactly what the page needs offline (versioned URLs that
all answer), the letter type titles come with the page, and every public page links to it."""

from __future__ import annotations

import json
import re

from bot.pages.periksa import seal_titles
from bot.pages.templating import STATIC_DIR
from tests.support.a11y import contrast, page_problems
from tests.support.webchat import Demo


async def test_the_page_allows_its_worker_and_no_inline_script(demo: Demo) -> None:
    r = await demo.client.get("/periksa")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and csp.endswith("worker-src 'self'") and "connect-src 'self'" in csp
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", r.text))
    assert 'data-sw="/periksa-sw.js"' in r.text and 'data-scope="/periksa"' in r.text
    assert "Periksa keaslian surat" in r.text and "dicabut" in r.text
    assert page_problems(r.text) == []
    titles = json.loads(re.search(r'data-titles="([^"]*)"', r.text)[1].replace("&#34;", '"'))  # type: ignore[index]
    assert titles["SKTM"].startswith("Surat Keterangan Tidak Mampu")


async def test_the_worker_keeps_the_page_its_scripts_and_the_keys(demo: Demo) -> None:
    r = await demo.client.get("/periksa-sw.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "no-cache"
    first = r.text.splitlines()[0]
    precache = json.loads(first.removeprefix("const PRECACHE = ").removesuffix(";"))
    assert precache[0] == "/periksa" and precache[-1] == "/.well-known/esurat-keys.json"
    assert any(u.startswith("/static/vendor/jsqr/jsQR.js?v=") for u in precache)
    assert any(u.startswith("/static/periksa.js?v=") for u in precache)
    for url in precache:
        assert (await demo.client.get(url)).status_code == 200, url
    keys = (await demo.client.get(precache[-1])).json()
    assert keys["seal_format"] == "ES1" and isinstance(keys["keys"], list)  # none until a letter is sealed


async def test_every_public_page_links_to_it(demo: Demo) -> None:
    for path in ("/", "/layanan", "/periksa"):
        assert 'href="/periksa"' in (await demo.client.get(path)).text, path


def test_the_vendored_decoder_comes_with_its_licence() -> None:
    vendor = STATIC_DIR / "vendor" / "jsqr"
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert "jsqr@1.4.0" in (vendor / "README.md").read_text()


def test_titles_by_the_code_a_seal_writes() -> None:
    assert json.loads(seal_titles({"pengantar_skck": "Surat Pengantar SKCK"})) == {
        "PENGANTAR-SKCK": "Surat Pengantar SKCK"}


def test_white_verdict_words_are_readable_on_their_colours() -> None:
    for background in ("#1b7f3b", "#b3261e", "#8a4b00", "#50545b"):  # ok, bad, warn, muted (esurat.css)
        assert contrast("#fff", background) >= 4.5, background
