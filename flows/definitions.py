"""Letter type definitions: the schema of the data files in `flows/letter_types/`.

One YAML file per letter type. The conversation engine reads `fields`, `groups`
and `attachments`; the letter renderer (`letters/`) reads `template`; the public
service pages read the service-standard part (requirements, procedure, SLA, cost).
Placeholders in template strings are `{field_name}` (values are pre-formatted:
dates in Indonesian, choices by their label); `{kelurahan}`, `{kecamatan}`,
`{kota}` are also available.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FieldType = Literal[
    "nik", "kk", "name", "date", "choice", "rt_rw", "phone", "text", "year", "number",
]
AttachmentKind = Literal["ktp", "kk", "pengantar_rt_rw", "akta", "surat_kematian", "lainnya"]
RuleKind = Literal["date_order", "not_equal", "not_after_today", "allowed_after"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """Ask a field only when another field has one of the given values."""

    field: str
    in_: list[str] = Field(alias="in")


class FieldDef(_Strict):
    name: str
    label: str  # short label used on the letter and in summaries ("Tempat Lahir")
    prompt: str  # the question the bot asks, in Bahasa Indonesia
    type: FieldType
    required: bool = True
    choices: list[str] | None = None  # for type=choice; or a named list (see `choice_set`)
    choice_set: str | None = None  # agama | jenis_kelamin | status_perkawinan | kewarganegaraan | hubungan
    # More words residents type for a choice (choice or value of the set -> words): {"Ayah": ["bapaknya"]}.
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    # A text field of the same letter that keeps the rest of a choice typed with more words ("sakit jantung").
    detail: str | None = None
    min_length: int = 1
    max_length: int = 200
    profile: bool = False  # remembered in the resident's saved profile
    # More words staff use for this field in a correction note ("nama gang" is the address, not the name).
    mentions: list[str] = Field(default_factory=list)
    condition: Condition | None = None
    help: str | None = None

    @model_validator(mode="after")
    def _synonyms_of_choices(self) -> FieldDef:
        if (self.synonyms or self.detail) and self.type != "choice":
            raise ValueError("only fields of type `choice` have synonyms or a detail field")
        unknown = [k for k in self.synonyms if self.choices is not None and k not in self.choices]
        if unknown:
            raise ValueError(f"synonyms of unknown choices: {unknown}")
        return self


class GroupDef(_Strict):
    """A repeated group, e.g. SKTM dependants (tanggungan)."""

    name: str
    label: str
    prompt_more: str  # "Tambah tanggungan lagi?"
    min_items: int = 0
    max_items: int = 10
    fields: list[FieldDef]


class AttachmentDef(_Strict):
    kind: AttachmentKind
    label: str
    prompt: str
    required: bool = True


class TableColumn(_Strict):
    field: str
    label: str


class TableDef(_Strict):
    group: str
    columns: list[TableColumn]


class LetterTemplate(_Strict):
    title: str  # SURAT KETERANGAN TIDAK MAMPU
    opening: str = (
        "Yang bertanda tangan di bawah ini, Lurah {kelurahan}, Kecamatan {kecamatan}, "
        "Kota {kota}, dengan ini menerangkan bahwa:"
    )
    identity: list[str]  # field names (or derived names `ttl`, `alamat_lengkap`) shown as label : value rows
    statement: list[str]  # paragraphs with {placeholders}
    table: TableDef | None = None
    purpose_field: str | None = "keperluan"
    closing: str = (
        "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dapat "
        "dipergunakan sebagaimana mestinya."
    )
    validity_days: int | None = None


class RuleDef(_Strict):
    """A check across answers, made by the engine before the summary (see `flows/cross_checks.py`).

    date_order: `fields` [earlier, later] (dates or years) must not be the other way round;
    not_equal: `fields` [a, b] must differ; not_after_today: the date `fields` [a] is not after
    the day the letter is asked for; allowed_after: the value of `fields` [a] (or `value`, the
    one the letter states when it does not ask the field) must be one of `after[saved]`, saved
    being the value in the resident's profile (status perkawinan: once married, never again
    "Belum Kawin"). A rule with an empty value is not checked.
    """

    kind: RuleKind
    fields: list[str]
    message: str  # to the resident; {field} shows that answer, {tersimpan} the saved profile value
    ask: str | None = None  # the field asked again (default: the last of `fields`)
    value: str | None = None  # allowed_after: the value the letter states (the field is not asked)
    after: dict[str, list[str]] = {}  # allowed_after: saved value -> the values allowed now


class LetterTypeDef(_Strict):
    code: str  # sktm, sku, domisili, ...
    title: str  # human title: "Surat Keterangan Tidak Mampu (SKTM)"
    short_title: str = Field(max_length=20)  # fits a chat button
    classification_code: str  # e.g. "400.12.2.2" (Permendagri 83/2022), used in the letter number
    description: str
    requirements: list[str]  # syarat, as shown to residents and on /layanan
    procedure: list[str]
    menu_order: int = 100  # position in the residents' menu of letters (then by code)
    online: bool = True  # False: needs a visit to the kelurahan office
    visit_note: str | None = None  # what to bring when a visit is needed
    sla_days: int = 1
    cost: str = "Gratis"
    fields: list[FieldDef]
    groups: list[GroupDef] = []
    attachments: list[AttachmentDef] = []
    rules: list[RuleDef] = []  # checks across answers, before the summary
    template: LetterTemplate
