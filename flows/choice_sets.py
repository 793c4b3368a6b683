"""Named lists of choices (agama, jenis kelamin, ...): stored value, label on the letter, typed aliases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flows.definitions import FieldDef
from flows.effects import Choice
from flows.memo import per_object
from flows.names import normalize

TITLE_MAX = 20  # a chat button title


# Shorter words for a button title, tried in order until the title fits ("Nomor Surat Pengantar RT/RW"
# -> "No. Pengantar RT/RW"); then words are dropped from the end, never cut.
TITLE_WORDS = (
    ("Surat Pengantar", "Pengantar"), ("Surat Keterangan", "Surat Ket."), ("Nomor", "No."), ("Tanggal", "Tgl."),
    ("Tempat Tinggal", "Tmp. Tinggal"),
)
_DANGLING = {"dan", "atau", "dengan", "di", "ke", "dari", "terhadap", "untuk", "yang", "No.", "Tgl."}


def short(text: str, limit: int = TITLE_MAX) -> str:
    """`text` made to fit a button: shorter words, then fewer words (a single long word is cut, with an ellipsis)."""
    for long, brief in TITLE_WORDS:
        if len(text) <= limit:
            return text
        text = text.replace(long, brief)
    if len(text) <= limit:
        return text
    words = text.split()
    while (len(" ".join(words)) > limit or words[-1] in _DANGLING) and len(words) > 1:
        words.pop()
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Option:
    value: str  # stored (canonical) value
    label: str  # as written on the letter and listed in the message text
    title: str = ""  # button title (<= 20 characters); defaults to the label, shortened
    aliases: tuple[str, ...] = ()

    @cached_property
    def button(self) -> str:
        return short(self.title or self.label)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return (self.label, self.button, self.value, *self.aliases)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The names normalised (`names.normalize`), as typed names are matched to them."""
        return tuple(normalize(n) for n in self.names)

    @cached_property
    def folded(self) -> tuple[str, ...]:
        return tuple(n.casefold() for n in self.names)

    @cached_property
    def choice(self) -> Choice:
        """The option as a button or list row (checked against the channels' limits once)."""
        return Choice(value=self.value, title=self.button)


CHOICE_SETS: dict[str, tuple[Option, ...]] = {
    "jenis_kelamin": (
        Option("L", "Laki-laki", aliases=("lk", "laki", "laki laki", "pria", "cowok")),
        Option("P", "Perempuan", aliases=("pr", "wanita", "cewek")),
    ),
    "agama": (
        Option("islam", "Islam", aliases=("muslim",)),
        Option("kristen", "Kristen", aliases=("kristen protestan", "protestan")),
        Option("katolik", "Katolik", aliases=("katholik", "kristen katolik")),
        Option("hindu", "Hindu", aliases=("hindu kaharingan", "kaharingan")),
        Option("buddha", "Buddha", aliases=("budha", "budda")),
        Option("khonghucu", "Khonghucu", aliases=("konghucu", "khong hu cu", "konghuchu")),
        Option("kepercayaan", "Kepercayaan terhadap Tuhan YME", "Kepercayaan"),
    ),
    "status_perkawinan": (
        Option("belum_kawin", "Belum Kawin", aliases=("belum menikah", "lajang", "bujang", "single")),
        Option("kawin", "Kawin", aliases=("menikah", "sudah menikah", "sudah kawin", "nikah")),
        # "cerai", "janda", "duda" alone fit both kinds of divorce: the resident is asked which.
        Option("cerai_hidup", "Cerai Hidup", aliases=("janda cerai", "duda cerai", "bercerai")),
        Option("cerai_mati", "Cerai Mati", aliases=("janda mati", "duda mati", "ditinggal meninggal")),
    ),
    "kewarganegaraan": (
        Option("WNI", "WNI", "WNI (Indonesia)", ("indonesia", "warga negara indonesia")),
        Option("WNA", "WNA", "WNA (Asing)", ("asing", "warga negara asing")),
    ),
    "hubungan": (
        Option("anak", "Anak", aliases=("anak kandung", "anak tiri", "anak angkat")),
        Option("istri", "Istri", aliases=("isteri",)),
        Option("suami", "Suami"),
        Option("orang_tua", "Orang Tua", aliases=("ayah", "ibu", "bapak", "ortu", "ayahnya", "bapaknya", "ibunya",
                                                   "mamak", "mama", "papa", "orang tuanya")),
        Option("mertua", "Mertua"),
        Option("menantu", "Menantu"),
        Option("cucu", "Cucu"),
        Option("saudara", "Saudara Kandung", aliases=("kakak", "adik", "saudara")),
        Option("famili_lain", "Famili Lain", aliases=("keluarga lain", "famili")),
        Option("lainnya", "Lainnya", aliases=("lain lain", "lain")),
    ),
}


@per_object
def options_for(field: FieldDef) -> tuple[Option, ...]:
    """The options of a choice field: its named set, or its own list (stored as written); made once per field."""
    extra = field.synonyms
    if field.choice_set is not None:
        return tuple(Option(o.value, o.label, o.title, (*o.aliases, *extra.get(o.value, ())))
                     for o in CHOICE_SETS.get(field.choice_set, ()))
    return tuple(Option(c, c, aliases=tuple(extra.get(c, ()))) for c in field.choices or ())


def label_of(field: FieldDef, value: str) -> str:
    """The label of a stored choice value (the value itself when unknown)."""
    return _labels(field).get(value, value)


@per_object
def _labels(field: FieldDef) -> dict[str, str]:
    return {o.value: o.label for o in reversed(options_for(field))}  # the first option of a value wins
