"""What the engine is given besides the state: catalogue, kelurahan directory, the time, the upload
limit, the profile. The runner builds it for every message (the directory from the database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flows.catalogue import Catalogue
from flows.names import best_key_match, normalize


@dataclass(frozen=True)
class Kelurahan:
    kecamatan: str
    name: str
    slug: str
    # The office's address and phone, told to residents who must visit (not part of which kelurahan it is).
    address: str = field(default="", compare=False)
    phone: str = field(default="", compare=False)


class Directory:
    """The kelurahan of the city, grouped by kecamatan (in the order given)."""

    def __init__(self, entries: Iterable[tuple[str, str, str] | Kelurahan]):
        self.kelurahan: list[Kelurahan] = [e if isinstance(e, Kelurahan) else Kelurahan(*e) for e in entries]
        self._by_slug = {k.slug: k for k in self.kelurahan}
        self.kecamatan: list[str] = list(dict.fromkeys(k.kecamatan for k in self.kelurahan))
        # The names `find` matches, normalised once: of the whole city, and of each kecamatan (in order).
        self._keys = [(normalize(k.name), normalize(k.slug)) for k in self.kelurahan]
        self._keys_in: dict[str, list[tuple[str, str]]] = {}
        for k, keys in zip(self.kelurahan, self._keys, strict=True):
            self._keys_in.setdefault(k.kecamatan, []).append(keys)

    def get(self, slug: str | None) -> Kelurahan | None:
        return self._by_slug.get(slug) if slug else None

    def in_kecamatan(self, kecamatan: str | None) -> list[Kelurahan]:
        return [k for k in self.kelurahan if k.kecamatan == kecamatan]

    def find(self, text: str, kecamatan: str | None = None) -> Kelurahan | None:
        """The kelurahan a resident typed ("bukit tunggal", "Bkt Tunggal", "buki tungal").

        Looked up within `kecamatan` first, then in the whole city.
        """
        key = normalize(text)
        kec_keys = self._keys_in.get(kecamatan, []) if kecamatan is not None else []
        for pool, keys in ((self.in_kecamatan(kecamatan), kec_keys), (self.kelurahan, self._keys)):
            found = best_key_match(key, keys) if pool else None
            if found is not None:
                return pool[found]
        return None


@dataclass(frozen=True)
class VisitSlot:
    """A visit slot of the draft's kelurahan that still has room (`free` places), starting at `start` (aware)."""

    start: datetime
    free: int


@dataclass(frozen=True)
class BookedVisit:
    """One of the resident's booked visits (not yet held), as the chat names it."""

    code: str
    start: datetime
    kelurahan: str  # the kelurahan's name
    title: str  # the letter type's short title


@dataclass(frozen=True)
class Context:
    """Injected into every `advance` call; `now` is the only clock the engine knows."""

    catalogue: Catalogue
    directory: Directory
    now: datetime
    upload_max_bytes: int  # the largest photo or document accepted (the `upload_max_bytes` setting)
    profile: Mapping[str, str] = field(default_factory=dict)  # the resident's saved profile
    last_kelurahan: str | None = None  # slug of the kelurahan of the resident's last request, offered first
    city: str = "Palangka Raya"
    # Visits (letters that need one): the open slots of the draft's kelurahan for the next days (none:
    # the runner offers no booking), and the resident's booked visits (for `batal kunjungan`).
    visit_slots: tuple[VisitSlot, ...] = ()
    visits: tuple[BookedVisit, ...] = ()
