"""Property tests: random conversations never raise, never leave the state invalid, never lose an answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flows import (
    CancelRequest,
    ChoiceMade,
    Command,
    ConversationState,
    ErasePersonalData,
    FileReceived,
    RevisionRequested,
    Step,
    SubmitRequest,
    Text,
)
from flows.definitions import FieldDef
from flows.names import best_match
from flows.questions import current
from flows.validators import FieldError, validate
from tests.support.flows import ANSWERS, DEPENDANT, PROFILE, photo

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = [
    "halo", "ya", "tidak", "setuju", "lanjut", "kirim", "ubah", "ubah alamat", "ganti nik", "-", "lewati", "tetap",
    "1", "2", "3", "4", "8", "11", "0", "batal", "kembali", "bantuan", "status", "/start", "menu", "mulai baru",
    "bukit tunggal", "buki tungal", "Pahandut", "jekan raya", "sktm", "usaha", "ahli waris", "selesai", "tambah",
    "Berikutnya", "17 agt 1990", "RT 3 RW 5", "6271034507900001", "Ma'ruf", "", "   ", "🙂", "x" * 300,
    *ANSWERS.values(),
]
EVENTS = ["answer"] * 7 + ["shown"] * 4 + ["word"] * 3 + ["text", "choice", "file", "command", "time", "revision"]


def _revision(request_id: int) -> RevisionRequested:
    return RevisionRequested(request_id=request_id, letter_type="sku", kelurahan_slug="menteng",
                             fields=dict(PROFILE) | {"nama_usaha": "Bengkel", "keperluan": "KUR"},
                             attachments={"ktp": "k"}, fields_to_fix=["nama_usaha", "jenis_usaha", "kk", "x"],
                             note="Mohon lengkapi.")


def _answer(chat: Any) -> Any:
    """A plausible answer to whatever is asked now."""
    key = chat.question() if chat.state.step == Step.FILL else None
    if key is None:
        return ChoiceMade(value=chat.values[0]) if chat.values else Text(text="halo")
    kind, _, rest = key.partition(":")
    if kind == "f":
        return Text(text=ANSWERS.get(rest, "Jawaban"))
    if kind == "g":
        return Text(text=DEPENDANT[rest.split(":")[-1]])
    if kind == "a":
        return photo(f"ref-{rest}")
    return ChoiceMade(value=chat.values[-1]) if chat.values else Text(text="tidak")


def _inbound(chat: Any, data: st.DataObject, n: int) -> Any:
    event = data.draw(st.sampled_from(EVENTS))
    if event == "answer":
        return _answer(chat)
    if event == "shown" and chat.values:
        return ChoiceMade(value=data.draw(st.sampled_from(chat.values)))
    if event == "word":
        return Text(text=data.draw(st.sampled_from(WORDS)))
    if event == "choice":
        return ChoiceMade(value=data.draw(st.sampled_from(["ya", "del:0", "del:9", "f:nama", "__next", "zzz"])))
    if event == "file":
        return FileReceived(file_ref=data.draw(st.sampled_from(["", "f1", "f2"])),
                            media_type=data.draw(st.sampled_from(["image/jpeg", "application/pdf", "image/gif"])),
                            size=data.draw(st.integers(0, 12 * 1024 * 1024)), filename=None, is_photo=False)
    if event == "command":
        return Command(name=data.draw(st.sampled_from(["start", "batal", "kembali", "bantuan", "status", "x"])))
    if event == "time":
        chat.now += timedelta(hours=data.draw(st.sampled_from([1, 25])))
        return Text(text="halo")
    if event == "revision":
        return _revision(100 + n % 3)
    return Text(text=data.draw(st.text(max_size=40)))


def _question(state: ConversationState, chat: Any) -> str | None:
    letter = chat.catalogue.get(state.draft.letter_type)
    if state.step != Step.FILL or letter is None:
        return None
    q = current(letter, state.draft.model_copy(deep=True))
    return q.key if q else None


def _check_nothing_lost(old: ConversationState, new: ConversationState, effects: list[Any], asked: str | None) -> None:
    if any(isinstance(e, CancelRequest | SubmitRequest | ErasePersonalData) for e in effects):
        return  # the draft filed, discarded, or erased with the resident's data ("hapus data saya", confirmed)
    kept = [new.draft, *([new.stash] if new.stash else [])]
    for name, value in old.draft.fields.items():
        if asked == f"f:{name}":
            continue  # the resident answered (changed) exactly this field
        assert any(d.fields.get(name) == value for d in kept), (name, value, old.step, new.step)
    for kind, ref in old.draft.attachments.items():
        if asked != f"a:{kind}":
            assert any(d.attachments.get(kind) == ref for d in kept), kind
    for group, rows in old.draft.groups.items():
        if asked == f"e:{group}":
            continue  # rows deleted on purpose
        for i, row in enumerate(rows):
            for name, value in row.items():
                if asked != f"g:{group}:{i}:{name}":
                    assert any(i < len(d.groups.get(group, [])) and d.groups[group][i].get(name) == value
                               for d in kept), (group, i, name)


@SETTINGS
@given(data=st.data())
def test_random_conversations(make_chat: Callable[..., Any], data: st.DataObject) -> None:
    chat = make_chat(profile=data.draw(st.sampled_from([{}, PROFILE])))
    for n in range(data.draw(st.integers(1, 80))):
        old = chat.state
        asked = _question(old, chat)
        effects = chat.send(_inbound(chat, data, n))  # raises on an invalid state or an unshowable reply
        _check_nothing_lost(old, chat.state, effects, asked)
        assert ConversationState.model_validate_json(chat.state.model_dump_json()) == chat.state
    steps = {type(e).__name__ for e in chat.log} | {chat.state.step.value}
    event(f"reached: {'submitted' if 'SubmitRequest' in steps else 'fields' if chat.state.draft.fields else 'start'}")


@SETTINGS
@given(data=st.data())
def test_scripted_answers_with_noise_still_submit(make_chat: Callable[..., Any], data: st.DataObject) -> None:
    """Noise between good answers (help, status, wrong input) never derails the request."""
    chat = make_chat()
    chat.start()
    chat.choose_letter(data.draw(st.sampled_from(["sktm", "sku", "domisili", "kematian"])))
    for _ in range(300):
        if chat.of(SubmitRequest):
            break
        noise = data.draw(st.sampled_from([None, None, None, "bantuan", "status", "???", "99", photo("x", size=0)]))
        if noise is not None and chat.state.step != Step.SUMMARY:
            chat.send(noise)
        chat.send(ChoiceMade(value="kirim") if chat.state.step == Step.SUMMARY else _answer(chat))
    assert chat.of(SubmitRequest)


FIELD_TYPES = ["nik", "kk", "name", "date", "rt_rw", "phone", "text", "year", "number"]


@SETTINGS
@given(type_=st.sampled_from(FIELD_TYPES), raw=st.text(max_size=60))
def test_validators_only_raise_field_errors(type_: str, raw: str) -> None:
    field = FieldDef(name="x", label="X", prompt="?", type=type_)
    try:
        value = validate(field, raw, date(2026, 11, 22))
    except FieldError as e:
        assert str(e)
    else:
        assert validate(field, value, date(2026, 11, 22)) == value  # canonical values stay valid


@SETTINGS
@given(query=st.text(max_size=30))
def test_fuzzy_match_total(query: str) -> None:
    found = best_match(query, [["Bukit Tunggal"], ["Bukit Sua"], ["Menteng"]])
    assert found is None or 0 <= found < 3
