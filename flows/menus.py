"""Prompts with choices, rendered within the channel limits, and the resident's answer matched to them.

A menu of more than 10 options is paged (8 a page plus "Sebelumnya"/"Berikutnya"). Numbers typed
refer to the options shown; names typed match any option (tolerant of case and small typos).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from flows import messages as m
from flows.choice_sets import Option
from flows.effects import MAX_BUTTONS, MAX_ROWS, MAX_TEXT, MAX_TEXT_WITH_CHOICES, AskFile, Reply
from flows.inbound import ChoiceMade, Inbound, Text
from flows.names import ascii_digits, best_key_match, normalize

PAGE_SIZE = 8
NEXT = Option("__next", m.NEXT_PAGE, aliases=("berikutnya", "lanjut"))
PREV = Option("__prev", m.PREV_PAGE, aliases=("sebelumnya",))


@dataclass(frozen=True)
class Prompt:
    text: str
    options: tuple[Option, ...] = ()
    attachment_kind: str | None = None  # set when a file is expected
    fixed: tuple[Option, ...] = ()  # shown on every page, after the options ("Kembali ke ringkasan")

    @property
    def paged(self) -> bool:
        return len(self.options) + len(self.fixed) > MAX_ROWS

    @cached_property
    def first_page(self) -> tuple[Reply | AskFile, ...]:
        """`render(self)`, kept with the prompt (a prompt made once, e.g. a field's first question, is
        rendered once)."""
        return tuple(_render(self, 0))


def pages(prompt: Prompt) -> list[list[Option]]:
    """The options of each page: as many as fit beside the fixed rows and "Sebelumnya"/"Berikutnya"."""
    if not prompt.paged:
        return [list(prompt.options)]
    out: list[list[Option]] = []
    rest = list(prompt.options)
    while rest:
        room = MAX_ROWS - len(prompt.fixed) - (1 if out else 0)  # beside the fixed rows and "Sebelumnya"
        if len(rest) > min(room, PAGE_SIZE):
            room -= 1  # and "Berikutnya"
        room = min(room, PAGE_SIZE)
        out.append(rest[:room])
        rest = rest[room:]
    return out


def shown(prompt: Prompt, page: int) -> list[Option]:
    """The options shown on `page` (with the fixed rows, and navigation rows when paged)."""
    all_pages = pages(prompt)
    page = page % len(all_pages)
    nav = ([PREV] if page > 0 else []) + ([NEXT] if page < len(all_pages) - 1 else [])
    return [*all_pages[page], *prompt.fixed, *nav]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` cut at line ends into pieces of at most `limit` characters."""
    pieces, current = [], ""
    for line in text.splitlines():
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [p for p in [*pieces, current] if p.strip()] or ["..."]


def texts(text: str) -> list[Reply]:
    return [Reply(text=piece) for piece in split_text(text)]


def render(prompt: Prompt, page: int = 0) -> list[Reply | AskFile]:
    """The prompt as one message (or more, when the text is long), within every channel's limits."""
    return list(prompt.first_page) if page == 0 else _render(prompt, page)


def _render(prompt: Prompt, page: int) -> list[Reply | AskFile]:
    items = shown(prompt, page)
    listing = "\n".join(f"{i}. {o.label}" for i, o in enumerate(items, 1))
    text = f"{prompt.text}\n\n{listing}" if items else prompt.text
    before: list[Reply | AskFile] = []
    limit = MAX_TEXT_WITH_CHOICES if items else MAX_TEXT
    if len(text) > limit:
        before = list(texts(prompt.text))
        text = f"{m.PICK_ONE}\n\n{listing}" if items else m.SEND_FILE
    choices = [o.choice for o in items]
    style: Literal["buttons", "list"] = "buttons" if len(items) <= MAX_BUTTONS else "list"
    if prompt.attachment_kind is not None:
        return [*before, AskFile(text=text, choices=choices, style=style, attachment_kind=prompt.attachment_kind)]
    return [*before, Reply(text=text, choices=choices, style=style)]


def resolve(inbound: Inbound, prompt: Prompt, page: int = 0, *, numbers: bool = True, names: bool = True,
            fuzzy: bool = True) -> str | None:
    """The value of the option the resident chose (pressed, numbered or named), or None.

    Free-text questions match names exactly (`fuzzy=False`) and numbers only after their own
    validation failed, so that "1" or "Tetapi" stay answers.
    """
    items = shown(prompt, page)
    candidates = [*prompt.options, *(o for o in items if o not in prompt.options)]
    if isinstance(inbound, ChoiceMade):
        return inbound.value if any(o.value == inbound.value for o in candidates) else None
    if not isinstance(inbound, Text):
        return None
    text = inbound.text.strip().rstrip(".!")
    if ascii_digits(text):
        n = int(text) if len(text) <= 6 else 0  # no menu is that long (and int() refuses 4,300+ digits)
        return items[n - 1].value if numbers and 1 <= n <= len(items) else None
    if not names:
        return None
    folded = text.casefold()
    exact = next((o.value for o in candidates if folded in o.folded), None)
    if exact is not None or not fuzzy:
        key = normalize(text)
        return exact or next((o.value for o in candidates if key and key in o.keys), None)
    found = best_key_match(normalize(text[:200]), [o.keys for o in candidates])
    return candidates[found].value if found is not None else None


def may_turn_page(inbound: Inbound) -> bool:
    """Whether `resolve` could read `inbound` as "Berikutnya"/"Sebelumnya" on some page: their button, the
    number of a row shown, or a text naming them. False (a file, another button, a longer number such as a
    NIK): the page surely stays, no prompt need be looked at."""
    if isinstance(inbound, ChoiceMade):
        return inbound.value in (NEXT.value, PREV.value)
    if not isinstance(inbound, Text):
        return False
    text = inbound.text.strip().rstrip(".!")
    return not ascii_digits(text) or (len(text) <= 6 and 1 <= int(text) <= MAX_ROWS)


@lru_cache(maxsize=16)  # a few pairs of labels: the same options (and their buttons) every time
def yes_no(yes: str = m.YES, no: str = m.NO) -> tuple[Option, Option]:
    return (
        Option("ya", yes, aliases=("ya", "y", "iya", "yes", "ok", "oke", "benar", "betul", "setuju", "boleh")),
        Option("tidak", no, aliases=("tidak", "tdk", "no", "n", "nggak", "gak", "enggak", "bukan", "jangan")),
    )
