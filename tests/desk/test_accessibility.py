"""The desk's pages for screen readers and keyboards (issue #13): every page a logged-in staff member can
reach by links from /desk/ (and the login and set-up pages) has its language, title, one h1, a label for
every control, named buttons and links, image alternatives; and the stylesheets' text colours contrast
with their backgrounds at WCAG AA (4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.desk.conftest import Desk, login
from tests.desk.test_files import submitted
from tests.support.a11y import colour_pairs, contrast, css_variables, page_problems

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = [ROOT / "bot/pages/static/esurat.css", *sorted((ROOT / "bot/desk/static").glob("*.css"))]
HREF = re.compile(r'href="([^"#]+)"')
NOT_PAGES = ("/desk/keluar", "/lampiran/", ".pdf", "/pdf", "/static/")


async def crawl(client: httpx.AsyncClient) -> dict[str, list[str]]:
    """Every /desk/ page reached by links from /desk/ (at most 60), and what each lacks."""
    problems: dict[str, list[str]] = {}
    todo = ["/desk/"]
    while todo and len(problems) < 60:
        path = todo.pop()
        if path in problems:
            continue
        page = await client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        problems[path] = page_problems(page.text)
        for href in HREF.findall(page.text):
            target = urlsplit(urljoin(f"http://127.0.0.1{path}", href.replace("&amp;", "&")))
            link = target.path + (f"?{target.query}" if target.query else "")
            if target.path.startswith("/desk/") and not any(n in link for n in NOT_PAGES):
                todo.append(link)
    return problems


async def test_every_desk_page_reached_from_home_is_accessible(desk: Desk) -> None:
    await submitted(desk)
    _, user = await desk.staff(role="lurah")  # the Lurah reaches every page an operator does, and the setup
    async with desk.other_client() as outside:
        assert page_problems((await outside.get("/desk/masuk")).text) == []
    await login(desk.client, user)
    problems = await crawl(desk.client)
    assert {"/desk/", "/desk/surat", "/desk/pengaturan", "/desk/pengaturan/petugas", "/desk/kunjungan"} <= set(problems)
    assert any(p.startswith("/desk/permohonan/") for p in problems)
    assert {p: found for p, found in problems.items() if found} == {}


async def test_the_city_admins_pages_are_accessible(desk: Desk) -> None:
    await login(desk.client, await desk.admin())
    problems = await crawl(desk.client)
    assert len(problems) >= 3
    assert {p: found for p, found in problems.items() if found} == {}


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=[s.name for s in STYLESHEETS])
def test_text_colours_contrast_with_their_backgrounds(sheet: Path) -> None:
    variables = css_variables((ROOT / "bot/pages/static/esurat.css").read_text())  # the :root palette
    pairs = colour_pairs(sheet.read_text(), variables)
    assert pairs
    low = [(sel, fg, bg, round(contrast(fg, bg), 2)) for sel, fg, bg in pairs if contrast(fg, bg) < 4.5]
    assert low == []


def test_the_checks_find_what_they_look_for() -> None:
    assert round(contrast("#000", "#fff"), 1) == 21.0 and contrast("#777", "#fff") < 4.5 < contrast("#767676", "#fff")
    bad = page_problems('<html><head></head><body><input name="q"><button></button><img src="x.png"></body></html>')
    assert len(bad) == 7  # the img, the button, lang, title, h1, viewport, the input's label
    good = ('<html lang="id"><head><meta name="viewport" content="x"><title>T</title></head><body><h1>H</h1>'
            '<label for="q">Cari</label><input id="q" name="q"><button>Cari</button></body></html>')
    assert page_problems(good) == []
    assert colour_pairs(":root{--a:#fff} .x{color:#777;background:var(--a)}") == [(".x", "#777", "#fff")]
