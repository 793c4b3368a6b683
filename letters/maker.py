"""The issuer behind `lifecycle.issuing.LetterMaker`: a request and its kelurahan in,
a sealed, signed letter out. Field values are formatted by `flows.format_values`."""

from __future__ import annotations

from datetime import datetime

from db.models import Kelurahan, LetterRequest
from flows import Catalogue, format_values
from letters.issuing import IssueInput, LetterIssuer
from letters.letterhead import Letterhead
from lifecycle.issuing import MadeLetter

PLACEHOLDER = "(DATA CONTOH)"


def letterhead_for(kel: Kelurahan, city: str) -> Letterhead:
    """The letterhead from the kelurahan's settings; placeholder data is marked on the letter."""
    mark = f" {PLACEHOLDER}" if kel.placeholder else ""
    return Letterhead(
        kecamatan=kel.kecamatan, kelurahan=kel.name, kelurahan_slug=kel.slug,
        address=(kel.address or "Alamat kantor kelurahan") + mark, phone=kel.phone, email=kel.email,
        postal_code=kel.postal_code, signatory_name=(kel.signatory_name or "NAMA PEJABAT") + mark,
        signatory_rank=kel.signatory_rank or "-", signatory_nip=kel.signatory_nip or "-",
        delegated=kel.signatory_delegated, signatory_position=kel.signatory_title, city=city,
    )


class CatalogueLetterMaker:
    def __init__(self, issuer: LetterIssuer, catalogue: Catalogue, city: str) -> None:
        self.issuer, self.catalogue, self.city = issuer, catalogue, city

    def make(self, request: LetterRequest, kelurahan: Kelurahan, issued_at: datetime) -> MadeLetter:
        assert request.number is not None, "only an approved request (with its number) is issued"
        defn = self.catalogue[request.letter_type]
        head = letterhead_for(kelurahan, self.city)
        context = {"kelurahan": kelurahan.name, "kecamatan": kelurahan.kecamatan, "kota": self.city}
        values = format_values(defn, request.fields, context)
        fields = request.fields
        issued = self.issuer.issue(IssueInput(
            defn, head, dict(values), values.rows, request.number, issued_at,
            holder_name=str(fields.get("nama") or ""), nik=str(fields.get("nik") or ""),
        ))
        return MadeLetter(
            pdf=issued.pdf_bytes, pdf_sha256=issued.pdf_sha256, public_id=issued.public_id, seal=issued.seal,
            key_id=issued.key_id, holder_name_masked=issued.holder_name_masked, nik_masked=issued.nik_masked,
            signatory_name=head.signatory_name, signatory_title=head.signatory_title,
            valid_until=issued.input.valid_until,
        )
