"""What a request card shows staff, on every channel: every value the letter will print (groups as a
compact table, one line per member), the files by what they are, and, for a corrected request, what
changed since the version before. `Card.text()` is the card as one chat message (within a length
limit when the channel has one). NIKs are shown in full: a card goes only to the staff of the request's
kelurahan, who check them; it is never logged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows import LetterTypeDef
from flows.dates import WIB
from flows.formatting import LetterValues, display
from lifecycle.transitions import Status

MESSAGE_LIMIT = 4096  # Telegram's and WhatsApp's longest text message
SEP = " · "
CUT_NOTE = "… (kartu dipotong karena terlalu panjang untuk satu pesan; data lengkap ada di sistem e-surat)"
NEW_FILE, KEPT_FILE = "baru", "tidak berubah"


@dataclass(frozen=True)
class CardFile:
    """An attachment as staff see it: `label` from the letter type's requirement ("Surat Pengantar RT/RW");
    `change` on a corrected request: NEW_FILE (sent with this version) or KEPT_FILE."""

    id: int
    kind: str
    label: str
    path: str
    media_type: str
    change: str = ""

    @property
    def caption(self) -> str:
        return f"{self.label} ({self.change})" if self.change else self.label


@dataclass(frozen=True)
class CardGroup:
    """A repeated group as the letter prints it (e.g. the SKTM dependants): its columns and rows."""

    label: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Card:
    request_id: int
    code: str
    title: str
    kelurahan: str
    channel: str  # where the resident asked, as staff know it ("WhatsApp")
    status: Status
    lines: list[tuple[str, str]]
    attachments: list[CardFile]
    actions: list[tuple[str, str]] = field(default_factory=list)
    outcome: str | None = None
    groups: list[CardGroup] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # since the version before a correction
    submitted: str = ""  # when (WIB), and whether after a correction

    def text(self, limit: int | None = MESSAGE_LIMIT) -> str:
        """The card as one chat message of at most `limit` characters (None: no limit): long values are
        shortened (NIKs and numbers never) until it fits, and as a last resort the body is cut, saying so."""
        for width in (None, 80, 40, 24):
            out = self._render(width)
            if limit is None or len(out) <= limit:
                return out
        assert limit is not None
        head, tail = self._head(), self._tail()
        room = max(limit - len(head) - len(tail) - len(CUT_NOTE) - 4, 0)
        return "\n".join([head, self._body(24)[:room] + CUT_NOTE, tail])[:limit]

    def _render(self, width: int | None) -> str:
        return "\n".join([self._head(), self._body(width), self._tail()])

    def _head(self) -> str:
        head = [f"Permohonan {self.code}", f"{self.title} - Kelurahan {self.kelurahan}", f"Kanal: {self.channel}"]
        return "\n".join([*head, *([self.submitted] if self.submitted else []), ""])

    def _body(self, width: int | None) -> str:
        body = [f"{label}: {short(value, width)}" for label, value in self.lines]
        for g in self.groups:
            if not g.rows:
                body.append(f"{g.label}: tidak ada")
                continue
            body.append(f"{g.label} ({len(g.rows)} orang): {SEP.join(g.columns)}")
            body += [f"{i}. {SEP.join(short(c, width) for c in row)}" for i, row in enumerate(g.rows, 1)]
        if self.changes:
            wide = None if width is None else 2 * width
            body += ["", "Perubahan sejak versi sebelumnya:", *(f"- {short(c, wide)}" for c in self.changes)]
        return "\n".join(body)

    def _tail(self) -> str:
        tail = ["", f"Lampiran: {len(self.attachments)} berkas", *(f"- {a.caption}" for a in self.attachments)]
        if self.outcome:
            tail += ["", f"Status: {self.outcome}"]
        return "\n".join(tail)


def short(value: Any, width: int | None) -> str:
    """`value` within `width` characters; numbers (NIK, KK) are never shortened."""
    text = str(value)
    if width is None or len(text) <= width or text.isdigit():
        return text
    return text[: width - 1] + "…"


def wib(at: datetime) -> str:
    return f"{at.astimezone(WIB):%d-%m-%Y %H:%M} WIB"


def group_tables(letter: LetterTypeDef, shown: LetterValues) -> list[CardGroup]:
    """Each group as the letter prints it: the template's table columns for its group, else every field."""
    table = letter.template.table
    out = []
    for g in letter.groups:
        if table is not None and table.group == g.name:
            columns = [(c.field, c.label) for c in table.columns]
        else:
            columns = [(f.name, f.label) for f in g.fields]
        rows = [[row.get(name, "") or "-" for name, _ in columns] for row in shown.groups.get(g.name, [])]
        out.append(CardGroup(g.label, [label for _, label in columns], rows))
    return out


def file_labels(letter: LetterTypeDef) -> dict[str, str]:
    """Requirement kind -> its label ("pengantar_rt_rw" -> "Surat Pengantar RT/RW")."""
    return {str(a.kind): a.label for a in letter.attachments}


def changes_since(letter: LetterTypeDef, previous: Mapping[str, Any], fields: Mapping[str, Any],
                  files: Mapping[str, int]) -> list[str]:
    """What changed between the version before a correction (`previous`: its fields and files by kind)
    and this one: each field (old → new), each group, each file sent anew."""
    before: Mapping[str, Any] = previous.get("fields") or {}
    out = []
    for f in letter.fields:
        old, new = display(f, before.get(f.name)), display(f, fields.get(f.name))
        if old != new:
            out.append(f"{f.label}: {old or '-'} → {new or '-'}")
    for g in letter.groups:
        old_rows, new_rows = before.get(g.name) or [], fields.get(g.name) or []
        if old_rows != new_rows:
            out.append(f"{g.label}: diubah ({len(old_rows)} → {len(new_rows)} orang)")
    old_files: Mapping[str, Any] = previous.get("attachments") or {}
    labels = file_labels(letter)
    out += [f"{labels.get(kind, 'Lampiran')}: berkas baru" for kind, att in files.items() if old_files.get(kind) != att]
    return out or ["Tidak ada perubahan."]
