"""The parsers of what arrives from outside: the seal in a QR code (text or bytes, and the URL around it), the
published keys, the callback data of a Telegram button, JSON bodies, ids, Host headers. Each answers or
refuses with its own error, never another exception."""

from __future__ import annotations

import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from hypothesis import strategies as st

from bot.http_guards import host_name
from bot.telegram.keyboards import MOD_PREFIX, parse_moderation
from bot.untrusted import ROW_ID_MAX, BadJson, parse_json, row_id
from tests.hostile.strategies import KNOWN_HOSTILE, assert_indonesian, fuzz_variants, hostile_text, json_value
from verification.seal import (
    SEAL_VERSION,
    SealFormatError,
    parse_seal,
    public_keys,
    seal_from_url,
    verify_seal,
)

DIGITS = 249
_digits = st.text(alphabet="0123456789", min_size=DIGITS, max_size=DIGITS)
# Seal-shaped text: the right number of fields and digits, hostile content in them.
seal_like = st.builds(lambda fields, tail: ":".join([SEAL_VERSION, *fields, tail]),
                      st.lists(hostile_text.map(lambda t: t.replace(":", "")[:40]), min_size=6, max_size=6),
                      _digits | hostile_text)


def seal_parser_answers_or_refuses(text: str | bytes) -> None:
    try:
        parsed = parse_seal(text)
    except SealFormatError:
        return
    assert len(parsed.signature) == 64 and len(parsed.fields.content_sha256) == 32
    try:
        verify_seal(text, lambda kid: None)
    except (SealFormatError, InvalidSignature):
        pass


test_seal_parser, test_seal_parser_slow = fuzz_variants(
    seal_parser_answers_or_refuses,
    text=st.one_of(hostile_text, seal_like, st.binary(max_size=600), seal_like.map(lambda s: s.encode())),
    examples=[{"text": t} for t in [
        *KNOWN_HOSTILE, b"\xff\xfe", SEAL_VERSION + ":" * 7 + "0" * DIGITS,
        SEAL_VERSION + ":a:b:c:d:e:f:" + "9" * DIGITS, "ES1:\ud800:b:c:d:e:f:" + "1" * DIGITS]])


def qr_url_gives_a_seal_text(url: str) -> None:
    assert isinstance(seal_from_url(url), str)


test_qr_url, test_qr_url_slow = fuzz_variants(
    qr_url_gives_a_seal_text,
    url=st.one_of(hostile_text, st.builds(lambda a, b: f"http://{a}/v/X#{b}", hostile_text, hostile_text),
                  st.builds(lambda a: f"https://[{a}/v/X?s={a}", hostile_text)),
    examples=[{"url": u} for u in ["http://[", "http://[::1/v/A#x", "https://x/v/A?s=%ZZ", "#%", *KNOWN_HOSTILE]])


def published_keys_never_raise(jwks: Any) -> None:
    assert isinstance(public_keys(jwks), dict)


_jwk = st.fixed_dictionaries({"kty": st.just("OKP"), "crv": st.just("Ed25519")},
                             optional={"x": json_value, "kid": json_value})
test_published_keys, test_published_keys_slow = fuzz_variants(
    published_keys_never_raise,
    jwks=st.one_of(json_value, st.fixed_dictionaries({"keys": st.lists(_jwk | json_value)})),
    examples=[{"jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "K"}]}},
              {"jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "é", "kid": "K"}]}}])


def callback_data_parses_to_a_usable_id_or_nothing(data: str) -> None:
    parsed = parse_moderation(data)
    if parsed is not None:
        action, request_id = parsed
        assert action and ":" not in action and 0 < request_id <= ROW_ID_MAX


_callback = st.one_of(
    hostile_text, st.builds(lambda a, n: f"{MOD_PREFIX}{a}:{n}", hostile_text, st.integers() | hostile_text),
    st.builds(lambda n: f"m:approve:{n}", st.integers(min_value=-(2**200), max_value=2**200)))
test_callback_data, test_callback_data_slow = fuzz_variants(
    callback_data_parses_to_a_usable_id_or_nothing, data=_callback,
    examples=[{"data": d} for d in [
        "m:approve:" + "9" * 30, "m:approve:" + "9" * 5000, "m:approve:-1", "m:approve:0", "m:approve:٣", "m:approve:²",
        "m::1", "m:approve: 1", "m:approve:1_000", "m:a:b:c"]])


def json_parses_or_refuses_in_indonesian(body: bytes) -> None:
    try:
        value = parse_json(body)
    except BadJson as e:
        assert_indonesian(str(e))
        return
    json.dumps(value, ensure_ascii=False).encode()  # storable as it is: no NaN, no surrogates


_json_bytes = st.one_of(
    st.binary(max_size=200), json_value.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda n, inner: (b"[" * n) + inner + (b"]" * n), st.integers(0, 200_000), st.sampled_from([b"1", b""])),
    st.builds(lambda n: ('{"a":' * n + "1" + "}" * n).encode(), st.integers(0, 5000)),
    st.sampled_from([b"NaN", b"[Infinity]", b"-Infinity", b"1e400", b'"\\ud800"', b"9" * 5000, b"\xef\xbb\xbf{}"]))
test_json, test_json_slow = fuzz_variants(
    json_parses_or_refuses_in_indonesian, body=_json_bytes,
    examples=[{"body": b"[" * 100_000 + b"]" * 100_000}, {"body": b"[" * 100_000}, {"body": b'{"x":' * 100_000}])


def ids_are_usable_or_none(value: Any) -> None:
    parsed = row_id(value)
    assert parsed is None or 0 < parsed <= ROW_ID_MAX


test_row_id, test_row_id_slow = fuzz_variants(
    ids_are_usable_or_none,
    value=st.one_of(st.integers(min_value=-(2**100), max_value=2**100), hostile_text, json_value),
    examples=[{"value": v} for v in [2**63, 2**63 - 1, "9" * 19, "9" * 20, True, "²", "٣", " 1", "+1", 0]])


def host_header_gives_a_name(header: str) -> None:
    assert isinstance(host_name(header), str)


test_host_header, test_host_header_slow = fuzz_variants(
    host_header_gives_a_name, header=hostile_text, examples=[{"header": h} for h in ["[", "[::1", "a:b:c", ":"]])
