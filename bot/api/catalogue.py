"""The service catalogue for the city's dashboard: every letter type of every kelurahan with its service
standard (PermenPANRB 15/2014: requirements, procedure, service time, cost, product, complaints), whether
it is fully online or needs a visit, and the channels it is offered on."""

from __future__ import annotations

from typing import Any

from db.models import Kelurahan
from flows import Catalogue, LetterTypeDef


def complaints(channel: str, kel: Kelurahan) -> str:
    """The city's complaint channel, then the kelurahan's own contacts where it has real ones."""
    own = [] if kel.placeholder else [part for part in (
        f"telepon {kel.phone}" if kel.phone else "", f"surel {kel.email}" if kel.email else "",
        kel.address) if part]
    return f"{channel}; Kelurahan {kel.name}: {', '.join(own)}" if own else channel


def service(t: LetterTypeDef, channels: list[dict[str, str]], complaint: str) -> dict[str, Any]:
    return {
        "kode": t.code, "nama": t.title, "deskripsi": t.description, "daring": t.online,
        "catatan_kunjungan": None if t.online else t.visit_note,
        "kanal": channels,
        "standar": {
            "persyaratan": list(t.requirements), "prosedur": list(t.procedure),
            "waktu_layanan": {"hari_kerja": t.sla_days, "teks": f"{t.sla_days} hari kerja"},
            "biaya": t.cost, "produk": t.title, "pengaduan": complaint,
        },
    }


def catalogue_feed(city: str, catalogue: Catalogue, kelurahan: list[Kelurahan], channels: list[dict[str, str]],
                   complaint_channel: str) -> dict[str, Any]:
    types = sorted(catalogue, key=lambda t: (not t.online, t.menu_order, t.code))
    return {
        "kota": city, "jumlah_kelurahan": len(kelurahan),
        "kelurahan": [
            {"slug": kel.slug, "nama": kel.name, "kecamatan": kel.kecamatan,
             "layanan": [service(t, channels, complaints(complaint_channel, kel)) for t in types]}
            for kel in kelurahan
        ],
    }
