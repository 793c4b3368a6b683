"""Masking, the seal format, the key store and the rate limiter on their own."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature

from letters.making import check_qr_capacity
from letters.qr import QrTooLarge, encode_qr
from letters.template import TemplateError, fill
from verification.keys import KeyStore
from verification.masking import mask_name, mask_nik
from verification.ratelimit import RateLimiter
from verification.seal import (
    SealedFields,
    SealFormatError,
    make_seal,
    parse_seal,
    public_keys,
    qr_url,
    seal_from_url,
    verify_seal,
)


@pytest.mark.parametrize(("name", "masked"), [
    ("Siti Aminah", "SITI A***"), ("  siti   aminah binti abdullah ", "SITI A***"), ("Budi", "BU***"),
    ("Siti A", "SI***"), ("H. Ahmad Sanusi", "H. A***"), ("<b>Budi</b> & Sons", "BBUDIB S***"),
    ("Kristiantonugroho Susanto", "KRISTIANTONU* S***"), ("", "***"), ("Ma'ruf Amin", "MA'RUF A***"),
])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
    assert ":" not in masked


def test_mask_nik() -> None:
    assert mask_nik("6271035205900001") == "6271********0001"
    assert mask_nik("62 7103 5205 900001") == "6271********0001"
    assert mask_nik("123") == "*" * 16


def _fields(*, number: str = "400.12.2.2/017/BT/XI/2026", letter_type: str = "sktm",
            kelurahan: str = "bukit-tunggal") -> SealedFields:
    return SealedFields(number=number, letter_type=letter_type, kelurahan=kelurahan,
                        issued_on=date(2026, 11, 22), valid_until=None, holder_name_masked="SITI A***",
                        nik_masked="6271********0001", content_sha256=b"\xff" * 32)


def test_seal_round_trip_through_the_qr_url(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    seal = make_seal(store.active(), _fields())
    url = qr_url("https://esurat.palangkaraya.go.id/", "A" * 26, seal)
    assert urlsplit(url).path == "/v/" + "A" * 26
    assert " " not in url and seal_from_url(url) == seal
    parsed = verify_seal(seal, store.public_key)
    assert parsed.fields == _fields(letter_type="SKTM", kelurahan="BUKIT-TUNGGAL")
    assert parsed.fields.valid_until is None
    assert encode_qr(url).version <= 11


@pytest.mark.parametrize("bad", ["", "ES1", "ES2:K:1:2:3:4:5:" + "1" * 249, "ES1:K:1:2:3:4:5:" + "1" * 248,
                                 "ES1:K:1:2:3:4:5:" + "x" * 249, "ES1:K:1:2:3:4:5:" + "9" * 249])
def test_malformed_seals_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SealFormatError):
        verify_seal(bad, KeyStore(tmp_path).public_key)


def test_a_seal_of_an_unknown_key_is_refused(tmp_path: Path) -> None:
    seal = make_seal(KeyStore(tmp_path / "a").active(), _fields())
    with pytest.raises(InvalidSignature):
        verify_seal(seal, KeyStore(tmp_path / "b").public_key)
    assert parse_seal(seal).fields.number == "400.12.2.2/017/BT/XI/2026"


def test_fields_that_would_break_the_format_cannot_be_sealed(tmp_path: Path) -> None:
    with pytest.raises(SealFormatError):
        make_seal(KeyStore(tmp_path).active(), _fields(number="400:1"))


def test_keystore_rotation_keeps_old_keys_published_and_files_private(tmp_path: Path) -> None:
    clock = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)])
    store = KeyStore(tmp_path / "keys", clock=lambda: next(clock))
    first = store.active()
    assert store.active().kid == first.kid
    second = store.rotate()
    assert store.active().kid == second.kid != first.kid
    doc = store.published()
    assert isinstance(doc["keys"], list)
    assert [k["kid"] for k in doc["keys"]] == [second.kid, first.kid]
    assert all("d" not in k and "private_key_pem" not in json.dumps(k) for k in doc["keys"])
    assert set(public_keys(doc)) == {first.kid, second.kid}
    for path in (tmp_path / "keys").iterdir():
        assert os.stat(path).st_mode & 0o777 == 0o600
    again = KeyStore(tmp_path / "keys")  # another process (the CLI) sees the same keys
    assert again.active().kid == second.kid


def test_a_rotation_by_another_process_reaches_a_running_store(tmp_path: Path) -> None:
    server = KeyStore(tmp_path)
    old = server.active()
    new = KeyStore(tmp_path).rotate()
    assert server.public_key(new.kid) is not None and server.active().kid == new.kid != old.kid


def test_rate_limiter_refills_and_keeps_bounded_memory() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, max_clients=100, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") >= 1
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")
    for i in range(10_000):
        limiter.allow(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100


def test_template_placeholders_are_plain_names_and_values_stay_plain_text() -> None:
    assert fill("Nama {nama} & {kota}", {"nama": "<b>x</b> {kota}", "kota": "P"}) == "Nama <b>x</b> {kota} & P"
    for bad in ("{nama.__class__}", "{nama[0]}", "{nama!r}", "{nama:>10}", "{missing}"):
        with pytest.raises(TemplateError):
            fill(bad, {"nama": "x"})


def test_a_public_url_too_long_for_the_qr_is_refused_at_start() -> None:
    check_qr_capacity("https://esurat.palangkaraya.go.id")
    with pytest.raises(QrTooLarge, match="ESURAT_PUBLIC_URL"):
        check_qr_capacity("https://layanan-surat-keterangan.palangkarayakota.go.id/esurat")
