"""The resident's rights over their personal data (UU No. 27 Tahun 2022), pure like the rest of the engine.

`data saya` asks the runner to show what is stored (`ShowPersonalData`); `hapus data saya` asks for a
confirmation (step CONFIRM_ERASE: "ketik YA untuk menghapus") and then discards the drafts and the
consent here and asks the runner to delete the rest (`ErasePersonalData`). A correction under way
belongs to a request still being processed: it is not discarded, the resident is told why. The texts
of both answers are made here from what the runner found (`StoredData`, `Erased`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flows import messages as m
from flows.catalogue import Catalogue
from flows.choice_sets import Option
from flows.context import Context
from flows.dates import WIB, format_date
from flows.definitions import FieldDef
from flows.effects import ErasePersonalData, ShowPersonalData
from flows.formatting import display
from flows.inbound import Inbound
from flows.menus import Prompt, texts
from flows.state import ConversationState, Draft, Step
from flows.steps import Outcome, again, goto, letter_of, reenter, reset
from flows.yes_no import choose

MASKED_TYPES = ("nik", "kk")


def show(state: ConversationState, ctx: Context) -> Outcome:
    letter = letter_of(state, ctx) if state.draft.has_answers() else None
    return [ShowPersonalData(draft_title=letter.title if letter else None), *again(state)]


def erase(state: ConversationState, ctx: Context) -> Outcome:
    if state.draft.revision_of is not None:
        name = m.request_name(state.draft.revision_code, state.draft.revision_of)
        return again(state, m.ERASE_IN_REVISION.format(n=name))
    return goto(state, Step.CONFIRM_ERASE)


def ask_confirm_erase(state: ConversationState, ctx: Context) -> Prompt:
    return _CONFIRM_ERASE


_CONFIRM_ERASE = Prompt(m.CONFIRM_ERASE, (
    Option("ya", m.ERASE_YES, aliases=("ya", "y", "iya", "yes", "hapus", "ya hapus")),
    Option("tidak", m.ERASE_NO, aliases=("tidak", "tdk", "no", "jangan", "batal")),
))


def on_confirm_erase(state: ConversationState, ctx: Context, inbound: Inbound) -> Outcome:
    value = choose(inbound, ask_confirm_erase(state, ctx))
    if value == "ya":
        drafts: list[Draft] = [d for d in (state.draft, state.stash) if d is not None]
        files = [ref for d in drafts for ref in d.attachments.values() if ref]
        queued = state.queued  # corrections of requests still being processed stay
        reset(state)
        state.queued = queued
        return [ErasePersonalData(draft_files=files)]
    if value == "tidak":
        return keep(state, ctx)
    return again(state, m.not_clear("ya", "tidak"))


def keep(state: ConversationState, ctx: Context) -> Outcome:
    """Not erased after all ("tidak", "batal", "kembali"): back to the draft, or to rest."""
    if state.draft.has_answers():
        return reenter(state, ctx, m.NOT_ERASED)
    state.step = Step.IDLE
    return list(texts(m.NOT_ERASED))


@dataclass(frozen=True)
class RequestRecord:
    code: str
    title: str
    status: str  # as the resident reads it ("Menunggu pemeriksaan petugas")
    number: str | None = None  # the letter's number, once issued
    files: int = 0  # uploads still stored


@dataclass(frozen=True)
class StoredData:
    """What the runner found stored about one resident."""

    profile: Mapping[str, str]
    consent_at: datetime | None
    requests: Sequence[RequestRecord]
    retention_days: int
    display_name: str = ""
    draft_title: str | None = None


@dataclass(frozen=True)
class Erased:
    """What the runner deleted and kept."""

    profile_fields: int
    files: int
    messages: int
    kept_letters: Sequence[str]  # numbers of issued letters (archive)
    active: Sequence[str]  # codes of requests still being processed


def profile_fields(catalogue: Catalogue) -> dict[str, FieldDef]:
    """The fields a profile may hold, in the order of the letter types' questions."""
    found: dict[str, FieldDef] = {}
    for letter in catalogue:
        for f in letter.fields:
            if f.profile:
                found.setdefault(f.name, f)
    return found


def _shown(f: FieldDef, value: str) -> str:
    if f.type in MASKED_TYPES and len(value) > 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return display(f, value) or value


def stored_text(data: StoredData, catalogue: Catalogue) -> str:
    fields = profile_fields(catalogue)
    rows = [f"- {fields[k].label}: {_shown(fields[k], v)}" for k in fields if (v := data.profile.get(k))]
    lines = [m.STORED_HEAD, ""]
    lines += [m.STORED_PROFILE, *rows] if rows else [m.STORED_NONE]
    if data.display_name:
        lines.append(f"- Nama akun chat: {data.display_name}")
    if data.consent_at is not None:
        at = data.consent_at.astimezone(WIB)
        lines.append(f"- Persetujuan pemrosesan data: {format_date(at.date())} pukul {at:%H.%M} WIB")
    if data.draft_title:
        lines.append(f"- Permohonan yang sedang diisi (belum dikirim): {data.draft_title}")
    lines += ["", m.STORED_REQUESTS if data.requests else m.STORED_NO_REQUESTS]
    for r in data.requests:
        number = f", nomor surat {r.number}" if r.number else ""
        files = f", {r.files} berkas tersimpan" if r.files else ""
        lines.append(f"- {r.code} {r.title}: {r.status}{number}{files}")
    lines += ["", m.STORED_WHERE.format(days=data.retention_days), "", m.STORED_TAIL]
    return "\n".join(lines)


def erased_text(erased: Erased) -> str:
    done = [f"- data diri ({erased.profile_fields} isian)" if erased.profile_fields else "- data diri (tidak ada)",
            "- permohonan yang sedang diisi dan persetujuan Anda",
            f"- {erased.files} foto/berkas", f"- {erased.messages} pesan dalam riwayat percakapan di server kami"]
    lines = [m.ERASED_HEAD, *done, ""]
    if erased.kept_letters:
        lines += [m.ERASED_KEPT_LETTERS.format(numbers=", ".join(erased.kept_letters)), ""]
    if erased.active:
        lines += [m.ERASED_KEPT_ACTIVE.format(codes=", ".join(erased.active)), ""]
    return "\n".join([*lines, m.ERASED_TAIL])
