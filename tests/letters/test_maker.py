"""From a request to a letter spec: the kelurahan's letterhead (placeholders marked), the
request's number, and a clear error for a request that has no number yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.models import Kelurahan, LetterRequest
from flows import load_catalogue
from letters.maker import PLACEHOLDER, CatalogueLetterMaker, UnnumberedRequest
from tests.support.letters import ISSUED_AT, make_kit

KELURAHAN = Kelurahan(slug="bukit-tunggal", name="Bukit Tunggal", kecamatan="Jekan Raya", unit_code="BT",
                      address="Jl. Contoh", phone="", email="", postal_code="", signatory_name="Nama Lurah",
                      signatory_title="Lurah", signatory_rank="", signatory_nip="", signatory_delegated=False,
                      placeholder=True)


def request(number: str | None) -> LetterRequest:
    return LetterRequest(code="BT-2026-000001", letter_type="domisili", number=number,
                         fields={"nama": "Siti Aminah", "nik": "6271034507900001"})


def test_the_spec_carries_the_number_the_letterhead_and_the_moment(tmp_path: Path) -> None:
    maker = CatalogueLetterMaker(make_kit(tmp_path).maker, load_catalogue(), "Palangka Raya")
    spec = maker.spec(request("400.12.2.1/001/BT/XI/2026"), KELURAHAN, ISSUED_AT)
    assert (spec.number, spec.issued_at, spec.holder_name) == ("400.12.2.1/001/BT/XI/2026", ISSUED_AT, "Siti Aminah")
    assert spec.letterhead.signatory_name == f"Nama Lurah {PLACEHOLDER}"


def test_a_request_without_a_number_is_refused(tmp_path: Path) -> None:
    maker = CatalogueLetterMaker(make_kit(tmp_path).maker, load_catalogue(), "Palangka Raya")
    with pytest.raises(UnnumberedRequest, match="BT-2026-000001"):
        maker.make(request(None), KELURAHAN, ISSUED_AT)


def test_the_kelurahans_stored_coat_of_arms_goes_on_its_letters(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from letters.coat_of_arms import store_logo

    kit = make_kit(tmp_path)
    maker = CatalogueLetterMaker(kit.maker, load_catalogue(), "Palangka Raya")
    assert maker.spec(request("1/BT"), KELURAHAN, ISSUED_AT).letterhead.logo_path is None
    buf = io.BytesIO()
    Image.new("RGB", (64, 80), (200, 30, 30)).save(buf, "PNG")
    kel = Kelurahan(**{c: getattr(KELURAHAN, c) for c in ("slug", "name", "kecamatan", "unit_code", "address")},
                    logo_file=store_logo(kit.settings.storage.data_dir, "bukit-tunggal", buf.getvalue()))
    path = maker.spec(request("1/BT"), kel, ISSUED_AT).letterhead.logo_path
    assert path == kit.settings.storage.data_dir / "logos" / "bukit-tunggal.png" and path.read_bytes() == buf.getvalue()
