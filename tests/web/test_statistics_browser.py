"""`/statistik` in headless Chromium, on a 360 px phone and a desktop: the four charts render (Chart.js
served by the app: pixels on every canvas), the screenshots are saved (test-output/web/statistik-*.png),
and no request leaves the host."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from db.engine import make_engine, make_sessionmaker
from flows import load_catalogue
from tests.support.stats_data import generate
from tests.support.webchat import NEEDS_CHROMIUM, Live

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Error, Request

OUT = Path(__file__).resolve().parents[2] / "test-output" / "web"
pytestmark = NEEDS_CHROMIUM

PAINTED = """() => Array.from(document.querySelectorAll("canvas")).map(c => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; })"""


def note_elsewhere(base: str, seen: list[str], request: Request) -> None:
    if not request.url.startswith((base, "data:", "blob:")):
        seen.append(request.url)


def note_error(seen: list[str], error: Error) -> None:
    seen.append(str(error))


def fill(url: str) -> None:
    async def run() -> None:
        engine = make_engine(url)
        await generate(make_sessionmaker(engine), load_catalogue(), n=600)
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # (Playwright's sync API runs an event loop in this thread)
        pool.submit(asyncio.run, run()).result()


def test_the_charts_render_and_nothing_leaves_the_host(live_demo: Live, browser: Browser) -> None:
    fill(live_demo.settings.storage.effective_database_url)
    for name, viewport in (("phone", {"width": 360, "height": 780}), ("desktop", {"width": 1280, "height": 900})):
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        elsewhere: list[str] = []
        context.on("request", partial(note_elsewhere, live_demo.base_url, elsewhere))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", partial(note_error, errors))
        page.goto(f"{live_demo.base_url}/statistik?dari=2026-01-01&sampai=2026-12-31")
        page.wait_for_function("window.esuratCharts && window.esuratCharts.length === 4")
        painted = page.evaluate(PAINTED)
        assert len(painted) == 4 and all(n > 500 for n in painted), painted
        assert page.locator("canvas[data-drawn]").count() == 4
        rows = page.locator("table.data").nth(3).locator("tbody tr").count()
        assert rows == 30  # the kelurahan chart's table: every kelurahan
        page.screenshot(path=str(OUT / f"statistik-{name}.png"), full_page=True)
        if name == "desktop":
            page.screenshot(path=str(OUT / "statistik.png"), full_page=True)
        assert not errors, errors
        assert not elsewhere, f"requests left the host: {elsewhere}"
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(  # what sticks out (for the failure message)
            """w => [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect()
            .right > w && e.parentElement.getBoundingClientRect().right <= w)
            .map(e => e.tagName + "." + e.className + ":" + e.textContent.slice(0, 40))""", viewport["width"])
        assert width <= viewport["width"], f"the page scrolls sideways at {viewport['width']} px: {width} {wide}"
        one = f"{live_demo.base_url}/statistik?dari=2026-01-01&sampai=2026-12-31&kelurahan=menteng"
        page.goto(one)
        page.wait_for_function("window.esuratCharts && window.esuratCharts.length === 4")
        height = page.evaluate("document.getElementById('grafik-kelurahan').getBoundingClientRect().height")
        assert 40 < height < 200, f"one kelurahan's bar chart is {height} px tall"
        context.close()
