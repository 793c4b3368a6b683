"""Checks of a server-rendered page that a screen reader and a keyboard need, read from the HTML alone:
the language, a title, a heading, a label for every form control, a name for every button and link, an
alternative text for every image, no positive tabindex; and WCAG contrast of a stylesheet's colour pairs."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.h1 = 0
        self.viewport = False
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self.problems: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []  # button/a/label/title being read
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        elif tag == "h1":
            self.h1 += 1
        elif tag == "img" and "alt" not in a:
            self.problems.append(f"img without alt: {a.get('src', '')}")
        elif tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in CONTROLS and a.get("type", "") not in UNLABELLED_INPUTS and "hidden" not in a:
            self.controls.append(a | {"_tag": tag, "_wrapped": "1" if self._in_label else ""})
        if int(a.get("tabindex", "0") or 0) > 0:
            self.problems.append(f"positive tabindex on {tag}")
        if tag in {"button", "a", "title"}:
            self._open.append((tag, a, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label = max(0, self._in_label - 1)
        if self._open and self._open[-1][0] == tag:
            _, a, text = self._open.pop()
            name = " ".join("".join(text).split()) or a.get("aria-label", "") or a.get("title", "")
            if tag == "title":
                self.title = name
            elif not name:
                self.problems.append(f"{tag} without an accessible name: {a}")

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)


def page_problems(html: str) -> list[str]:
    """What a page lacks for assistive technology (empty: nothing found)."""
    page = _Page()
    page.feed(html)
    problems = list(page.problems)
    if page.lang != "id":
        problems.append(f"html lang is {page.lang!r}, not 'id'")
    if not page.title:
        problems.append("no title")
    if page.h1 != 1:
        problems.append(f"{page.h1} h1 headings")
    if not page.viewport:
        problems.append("no viewport meta (phones)")
    for c in page.controls:
        if not (c.get("id") in page.label_for or c["_wrapped"] or c.get("aria-label") or c.get("aria-labelledby")):
            problems.append(f"{c['_tag']} {c.get('name', '')!r} without a label")
    return problems


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two #rgb / #rrggbb colours."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_VAR = re.compile(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b")
_PROP = re.compile(r"(?<![\w-])(color|background(?:-color)?)\s*:\s*(#[0-9a-fA-F]{3,6}|var\((--[\w-]+)\))")


def css_variables(css: str) -> dict[str, str]:
    """The custom properties a stylesheet sets to a #hex colour."""
    return dict(_VAR.findall(css))


def colour_pairs(css: str, variables: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of every rule that sets both, variables resolved."""
    known = dict(variables or {}) | css_variables(css)
    pairs = []
    for selector, body in _RULE.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        props: dict[str, str] = {}
        for prop, value, var in _PROP.findall(body):
            colour = known.get(var, "") if var else value
            if colour:
                props["color" if prop == "color" else "background"] = colour
        if len(props) == 2:
            pairs.append((selector.strip(), props["color"], props["background"]))
    return pairs
