"""The shapes of the agencies' API (`POST /api/v1/verifikasi`), for the OpenAPI schema and its readers.

An answer item carries what the public page's JSON shows of a letter (`verification.public_view`:
`letter_view`, `not_found_view`), masked the same way, after the item as it was sent (``masukan``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ITEMS = 100
MAX_ITEM_CHARS = 2048  # a QR code's URL has about 400

_ID = "KQ7ZJ3M5W2XA4B6C7D2E3F4G5H"
_QR = ("https://esurat.palangkaraya.go.id/v/KQ7ZJ3M5W2XA4B6C7D2E3F4G5H#ES1:K1:400.12.3.3%2F001%2FBT%2FXI%2F2026"
       ":SKTM:BUKIT-TUNGGAL:SITI%20A***:6271********0001:2026112200000000...")


class VerifyRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"surat": [_ID, _QR]}]})

    surat: list[Annotated[str, Field(max_length=MAX_ITEM_CHARS)]] = Field(
        min_length=1, max_length=MAX_ITEMS,
        description=f"1 sampai {MAX_ITEMS} surat: kode surat (26 karakter, bagian akhir alamat halaman periksa) "
                    "atau teks lengkap QR code surat (alamat halaman periksa beserta segelnya), "
                    f"masing-masing paling panjang {MAX_ITEM_CHARS} karakter.")


class LetterOut(BaseModel):
    public_id: str
    number: str
    type: str
    type_title: str
    kelurahan: str
    kecamatan: str
    issued_on: str = Field(description="Tanggal terbit (YYYY-MM-DD)")
    valid_until: str | None = Field(description="Berlaku sampai (YYYY-MM-DD), bila ada")
    expired: bool
    signatory_name: str
    signatory_title: str
    issuer: str = Field(description="Kantor yang menerbitkan: kelurahan dan kecamatan")
    signature_kind: str = Field(description="segel_esurat (CA e-surat) atau bsre (tersertifikasi)")
    signature: str = Field(description="Jenis tanda tangan, untuk dibaca")
    holder_name: str = Field(description="Nama pemegang, disamarkan")
    nik: str = Field(description="NIK pemegang, disamarkan")
    subject_label: str
    subject_name: str | None = Field(description="Nama orang yang diterangkan surat (disamarkan), bila bukan pemegang")


class ReplacementOut(BaseModel):
    number: str = Field(description="Nomor surat pengganti")
    replaced_at: str | None


class RevocationOut(BaseModel):
    reason: str
    revoked_at: str | None


class SealOut(BaseModel):
    presented: bool = Field(description="Apakah segel QR disertakan dalam masukan")
    valid: bool | None = Field(description="Sah dan cocok dengan arsip; null bila tidak disertakan")
    key_id: str | None
    message: str


class ContactOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    kelurahan: str | None
    text: str


class VerifyItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "masukan": _ID, "status": "ASLI", "status_code": "valid",
        "message": "Surat ini asli dan tercatat diterbitkan oleh kelurahan.",
        "letter": {"public_id": _ID, "number": "400.12.3.3/001/BT/XI/2026", "type": "sktm",
                   "type_title": "Surat Keterangan Tidak Mampu (SKTM)", "kelurahan": "Bukit Tunggal",
                   "kecamatan": "Jekan Raya", "issued_on": "2026-11-22", "valid_until": "2027-02-22",
                   "expired": False, "signatory_name": "CONTOH NAMA LURAH, S.STP", "signatory_title": "Lurah",
                   "issuer": "Kelurahan Bukit Tunggal, Kecamatan Jekan Raya", "signature_kind": "segel_esurat",
                   "signature": "Segel elektronik e-Surat (tanda tangan elektronik tidak tersertifikasi, PP 71/2019)",
                   "holder_name": "SITI A***", "nik": "6271********0001", "subject_label": "Nama pemohon",
                   "subject_name": None},
        "revocation": None, "replacement": None,
        "seal": {"presented": False, "valid": None, "key_id": None,
                 "message": "Segel QR tidak disertakan; pindai QR pada surat untuk memeriksanya."}}]})

    masukan: str = Field(description="Masukan ini, seperti dikirim")
    status: Literal["ASLI", "DICABUT", "TIDAK VALID", "DIGANTI", "KEDALUWARSA", "TIDAK DITEMUKAN"]
    status_code: Literal["valid", "revoked", "invalid", "superseded", "expired", "not_found"]
    message: str
    letter: LetterOut | None = None
    revocation: RevocationOut | None = None
    replacement: ReplacementOut | None = None
    seal: SealOut | None = None
    contact: ContactOut | None = Field(default=None, description="Untuk surat yang tidak ditemukan: ke mana bertanya")


class VerifyResponse(BaseModel):
    hasil: list[VerifyItem] = Field(description="Satu hasil untuk setiap masukan, dalam urutan yang sama")
    jumlah: dict[str, int] = Field(description="Banyak surat per status", examples=[{"ASLI": 1}])


class ApiError(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"error": "Kunci API tidak ada atau tidak dikenal."}]})

    error: str
