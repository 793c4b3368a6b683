"""A letter request and its kelurahan in, a made letter out: the `LetterSpec` of an approved
request (letterhead from the kelurahan's settings, field values formatted by
`flows.format_values`), made by `letters.making.LetterMaker`. Used by `lifecycle.issuing`; the
draft of a request not yet approved (`draft`, by `letters.draft.DraftMaker`) by `moderation.preview`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from db.models import ApprovalSignature, Kelurahan, LetterRequest
from flows import Catalogue, format_values
from letters.coat_of_arms import logo_path
from letters.draft import DraftMaker
from letters.letterhead import Letterhead
from letters.making import LetterMaker, LetterSpec, MadeLetter

PLACEHOLDER = "(DATA CONTOH)"


class UnnumberedRequest(ValueError):
    """Only an approved request, which has its number, can be made into a letter."""


def letterhead_for(kel: Kelurahan, city: str, signer: ApprovalSignature | None = None,
                   logo: Path | None = None) -> Letterhead:
    """The letterhead from the kelurahan's settings; placeholder data is marked on the letter. `signer`: the
    staff member who approved and signs (two-step approval) instead of the configured signatory, with their
    rank and NIP when on record. `logo`: the coat of arms' file."""
    mark = f" {PLACEHOLDER}" if kel.placeholder else ""
    if signer is not None:
        return Letterhead(
            kecamatan=kel.kecamatan, kelurahan=kel.name, kelurahan_slug=kel.slug,
            address=(kel.address or "Alamat kantor kelurahan") + mark, phone=kel.phone, email=kel.email,
            postal_code=kel.postal_code, signatory_name=signer.name, signatory_rank=signer.rank or "",
            signatory_nip=signer.nip or "", delegated=signer.delegated, signatory_position=signer.title, city=city,
            logo_path=logo,
        )
    return Letterhead(
        kecamatan=kel.kecamatan, kelurahan=kel.name, kelurahan_slug=kel.slug,
        address=(kel.address or "Alamat kantor kelurahan") + mark, phone=kel.phone, email=kel.email,
        postal_code=kel.postal_code, signatory_name=(kel.signatory_name or "NAMA PEJABAT") + mark,
        signatory_rank=kel.signatory_rank or "-", signatory_nip=kel.signatory_nip or "-",
        delegated=kel.signatory_delegated, signatory_position=kel.signatory_title, city=city, logo_path=logo,
    )


class CatalogueLetterMaker:
    def __init__(self, maker: LetterMaker, catalogue: Catalogue, city: str, drafts: DraftMaker | None = None) -> None:
        self.maker, self.catalogue, self.city = maker, catalogue, city
        self.drafts = drafts or DraftMaker.for_settings(maker.settings)

    def spec(self, request: LetterRequest, kelurahan: Kelurahan, issued_at: datetime,
             number: str | None = None, signer: ApprovalSignature | None = None) -> LetterSpec:
        """The spec of the request's letter, numbered with `number` (a draft's) or else the request's, signed
        by `signer` (a two-step approval's) or else the kelurahan's configured signatory."""
        number = number or request.number
        if number is None:
            raise UnnumberedRequest(f"Permohonan {request.code} belum bernomor (belum disetujui)")
        defn = self.catalogue[request.letter_type]
        context = {"kelurahan": kelurahan.name, "kecamatan": kelurahan.kecamatan, "kota": self.city}
        values = format_values(defn, request.fields, context)
        fields = request.fields
        return LetterSpec(
            defn, letterhead_for(kelurahan, self.city, signer, self.logo(kelurahan)), dict(values), values.rows,
            number, issued_at,
            holder_name=str(fields.get("nama") or ""), nik=str(fields.get("nik") or ""),
        )

    def logo(self, kelurahan: Kelurahan) -> Path | None:
        return logo_path(self.maker.settings.storage.data_dir, kelurahan.logo_file)

    def make(self, request: LetterRequest, kelurahan: Kelurahan, issued_at: datetime,
             signer: ApprovalSignature | None = None, passphrase: str | None = None) -> MadeLetter:
        return self.maker.make(self.spec(request, kelurahan, issued_at, signer=signer), passphrase)

    def draft(self, request: LetterRequest, kelurahan: Kelurahan, at: datetime, number: str,
              signer: ApprovalSignature | None = None) -> bytes:
        """The draft PDF: the letter as `make` would make it at `at`, numbered `number`, unsealed, watermarked."""
        return self.drafts.make(self.spec(request, kelurahan, at, number, signer)).pdf_bytes
