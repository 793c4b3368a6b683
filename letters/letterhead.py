"""The kelurahan's letterhead and signatory, as configured by the deployment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Letterhead:
    kecamatan: str  # "Jekan Raya"
    kelurahan: str  # "Bukit Tunggal"
    kelurahan_slug: str  # "bukit-tunggal"
    address: str  # "Jl. ... No. 1"
    signatory_name: str
    signatory_rank: str  # pangkat/golongan, "Penata Tk. I (III/d)"
    signatory_nip: str  # 18 digits
    phone: str = ""
    email: str = ""
    website: str = ""
    postal_code: str = ""
    delegated: bool = False  # True: "a.n. Lurah ...", signed by `signatory_position`
    signatory_position: str = "Sekretaris Kelurahan"
    city: str = "Palangka Raya"
    logo_path: Path | None = None  # the city's coat of arms (PNG), drawn left of the letterhead

    @property
    def title_lines(self) -> list[str]:
        """The signatory's title as printed above the signature."""
        if self.delegated:
            return [f"a.n. Lurah {self.kelurahan}", self.signatory_position]
        return [f"Lurah {self.kelurahan}"]

    @property
    def signatory_title(self) -> str:
        return ", ".join(self.title_lines)

    @property
    def contact_line(self) -> str:
        parts = [self.address]
        if self.phone:
            parts.append(f"Telp. {self.phone}")
        if self.email:
            parts.append(f"Surel: {self.email}")
        if self.website:
            parts.append(self.website)
        if self.postal_code:
            parts.append(f"Kode Pos {self.postal_code}")
        return ", ".join(p for p in parts if p)
