"""Every field validator, and the conversation engine at every kind of step, with hostile text: an answer or a
FieldError in Indonesian, never another exception."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache, partial

from hypothesis import strategies as st

from flows import AskFile, Catalogue, Command, Reply, Text, load_catalogue
from flows import validators as v
from flows.definitions import FieldDef
from tests.hostile.strategies import KNOWN_HOSTILE, assert_indonesian, fuzz_variants, hostile_text
from tests.support.flows import Chat, next_answer, seed_directory

TODAY = date(2026, 11, 22)
CHOICE = FieldDef(name="agama", label="Agama", prompt="?", type="choice", choice_set="agama")
OWN_CHOICES = FieldDef(name="x", label="X", prompt="?", type="choice", choices=["Ya", "Tidak", "Belum tahu"])
TYPED = [FieldDef(name=f"f_{t}", label=t, prompt="?", type=t) for t in
         ("nik", "kk", "name", "date", "rt_rw", "phone", "text", "year", "number")]


def _validate(field: FieldDef, raw: str) -> str:
    return v.validate(field, raw, TODAY)


VALIDATORS: dict[str, Callable[[str], object]] = {
    "nik": v.validate_nik, "kk": v.validate_kk, "name": v.validate_name, "rt_rw": v.validate_rt_rw,
    "phone": v.validate_phone, "text": v.validate_text, "number": v.validate_number,
    "date": lambda raw: v.validate_date(raw, TODAY), "year": lambda raw: v.validate_year(raw, TODAY),
    "choice": lambda raw: v.validate_choice(CHOICE, raw), "own_choice": lambda raw: v.validate_choice(OWN_CHOICES, raw),
    **{f"validate:{f.type}": partial(_validate, f) for f in TYPED},
    "validate:nik_known": lambda raw: v.validate(TYPED[0], raw, TODAY, {"jenis_kelamin": "P", "tanggal_lahir": raw}),
}


def validators_answer_or_refuse_in_indonesian(name: str, raw: str) -> None:
    try:
        value = VALIDATORS[name](raw)
    except v.FieldError as e:
        assert_indonesian(str(e), echoed=raw)
    else:
        assert value is None or isinstance(value, str)


test_validators, test_validators_slow = fuzz_variants(
    validators_answer_or_refuse_in_indonesian, name=st.sampled_from(sorted(VALIDATORS)), raw=hostile_text,
    examples=[{"name": name, "raw": raw} for name in VALIDATORS for raw in KNOWN_HOSTILE])


def upload_check_refuses_in_indonesian(media_type: str, size: int) -> None:
    try:
        v.validate_upload(media_type, size, 10 * 1024 * 1024)
    except v.FieldError as e:
        assert_indonesian(str(e), echoed=media_type.split(";")[0].strip().lower())


test_upload_validator, test_upload_validator_slow = fuzz_variants(
    upload_check_refuses_in_indonesian, media_type=hostile_text | st.sampled_from(sorted(v.UPLOAD_TYPES)),
    size=st.integers(min_value=-(2**70), max_value=2**70))


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def _chat_at(code: str, answered: int) -> Chat:
    """A resident who chose `code` at Bukit Tunggal and gave the sample answers to `answered` questions."""
    chat = Chat(_catalogue(), seed_directory())
    chat.start()
    chat.choose_letter(code)
    for _ in range(answered):
        action, value = next_answer(chat.catalogue, chat.state, 0, 1)
        if action in ("summary", "file"):
            break
        if action in ("press", "more"):
            chat.press(value)
        else:
            chat.send(value)
    return chat


def engine_answers_hostile_text_in_indonesian(code: str, answered: int, texts: list[str], as_command: bool) -> None:
    chat = _chat_at(code, answered) if answered >= 0 else Chat(_catalogue(), seed_directory())
    for raw in texts:
        inbound = Command(name=raw) if as_command else Text(text=raw)
        effects = chat.send(inbound)  # also checks the state stays valid and every prompt is showable
        for effect in effects:
            if isinstance(effect, Reply | AskFile):
                assert effect.text.strip()
                assert_indonesian(effect.text, echoed=raw)


_codes = st.sampled_from(["sktm", "sku", "domisili", "kematian", "kelahiran", "belum_menikah"])
test_engine, test_engine_slow = fuzz_variants(
    engine_answers_hostile_text_in_indonesian, code=_codes, answered=st.integers(-1, 40),
    texts=st.lists(hostile_text, min_size=1, max_size=3), as_command=st.booleans(),
    examples=[{"code": "sktm", "answered": n, "texts": KNOWN_HOSTILE, "as_command": c} for n in (-1, 0, 3, 12)
              for c in (False, True)])
