"""The open API's response shapes (for the OpenAPI schema and its examples; the bodies are built as plain
dicts by `bot.api.catalogue` and `stats.figures`, and tests check that they validate against these)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WaktuLayanan(BaseModel):
    hari_kerja: int = Field(description="Waktu penyelesaian dalam hari kerja sejak permohonan lengkap", examples=[1])
    teks: str = Field(examples=["1 hari kerja"])


class StandarLayanan(BaseModel):
    """The service standard's components for the public (PermenPANRB 15/2014)."""

    persyaratan: list[str] = Field(examples=[["KTP-el pemohon", "Kartu Keluarga"]])
    prosedur: list[str] = Field(examples=[["Ajukan melalui WhatsApp", "Petugas memeriksa", "Surat dikirim"]])
    waktu_layanan: WaktuLayanan
    biaya: str = Field(examples=["Gratis"])
    produk: str = Field(examples=["Surat Keterangan Tidak Mampu (SKTM)"])
    pengaduan: str = Field(examples=["SP4N-LAPOR! (www.lapor.go.id); Kelurahan Bukit Tunggal, telepon (0536) 000000"])


class Kanal(BaseModel):
    kode: str = Field(examples=["whatsapp"])
    nama: str = Field(examples=["WhatsApp"])


class Layanan(BaseModel):
    kode: str = Field(examples=["sktm"])
    nama: str = Field(examples=["Surat Keterangan Tidak Mampu (SKTM)"])
    deskripsi: str
    daring: bool = Field(description="true: sepenuhnya daring; false: perlu datang ke kantor kelurahan")
    catatan_kunjungan: str | None = Field(None, description="Yang dibawa saat datang, bila perlu kunjungan")
    kanal: list[Kanal] = Field(description="Kanal tempat layanan dapat diajukan (atau kunjungannya dipesan)")
    standar: StandarLayanan


class KelurahanLayanan(BaseModel):
    slug: str = Field(examples=["bukit-tunggal"])
    nama: str = Field(examples=["Bukit Tunggal"])
    kecamatan: str = Field(examples=["Jekan Raya"])
    layanan: list[Layanan]


class Katalog(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "Katalog layanan e-Surat per kelurahan"})
    kota: str = Field(examples=["Palangka Raya"])
    jumlah_kelurahan: int = Field(examples=[30])
    kelurahan: list[KelurahanLayanan]


class Durasi(BaseModel):
    jumlah: int = Field(description="Banyaknya permohonan yang diukur", examples=[812])
    median_jam_kerja: float | None = Field(examples=[5.25])
    p90_jam_kerja: float | None = Field(examples=[14.5])
    median_hari: float | None = Field(examples=[0.9])
    p90_hari: float | None = Field(examples=[3.2])


class Waktu(BaseModel):
    keputusan: Durasi = Field(description="Dari pengajuan sampai disetujui atau ditolak")
    terbit: Durasi = Field(description="Dari pengajuan sampai surat terbit")


class TepatWaktu(BaseModel):
    terbit: int = Field(examples=[700])
    tepat_waktu: int = Field(examples=[651])
    persen: float | None = Field(examples=[93.0])


class Alasan(BaseModel):
    alasan: str = Field(examples=["Foto KTP buram"])
    jumlah: int = Field(examples=[12])


class Penolakan(BaseModel):
    jumlah: int = Field(examples=[40])
    alasan: list[Alasan]


class Skm(BaseModel):
    responden: int = Field(examples=[250])
    indeks: float | None = Field(description="Indeks Kepuasan Masyarakat, skala 25-100", examples=[82.4])
    mutu: str | None = Field(description="A, B, C atau D (PermenPANRB 14/2017)", examples=["B"])
    kinerja: str | None = Field(examples=["Baik"])
    unsur: dict[str, float] = Field(description="Nilai rata-rata (1-4) per unsur", examples=[{"u1": 3.3, "u3": 3.1}])


class StatistikKelurahan(BaseModel):
    slug: str
    nama: str
    jumlah: int
    terbit: int
    persen_tepat_waktu: float | None
    median_hari_terbit: float | None
    skm: float | None
    mutu: str | None


class Periode(BaseModel):
    dari: str | None = Field(examples=["2026-01-01"])
    sampai: str | None = Field(examples=["2026-12-31"])


class Saringan(BaseModel):
    kelurahan: str | None = Field(examples=["bukit-tunggal"])
    jenis: str | None = Field(examples=["sktm"])


class Statistik(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "Statistik permohonan menurut tanggal pengajuan (WIB)"})
    periode: Periode
    filter: Saringan
    jumlah: int = Field(examples=[1000])
    per_status: dict[str, int] = Field(examples=[{"issued": 700, "rejected": 40, "submitted": 60}])
    per_jenis: dict[str, int] = Field(examples=[{"sktm": 600, "domisili": 400}])
    per_kelurahan: dict[str, int] = Field(examples=[{"bukit-tunggal": 1000}])
    per_kanal: dict[str, int] = Field(examples=[{"whatsapp": 700, "telegram": 300}])
    waktu: Waktu
    dalam_waktu_layanan: TepatWaktu
    penolakan: Penolakan
    skm: Skm
    skm_per_jenis: dict[str, Skm] = Field(description="Indeks kepuasan per jenis layanan")
    kelurahan: list[StatistikKelurahan]


class Galat(BaseModel):
    detail: str = Field(examples=["Tanggal 'dari' tidak terbaca: gunakan format TTTT-BB-HH."])
