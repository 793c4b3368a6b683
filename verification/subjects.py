"""Whose letter it is, read from the letter type's data: the first name field the letter's
identity block prints (`template.identity`).

A birth letter is about the child (`nama_anak`, "Nama anak"), a death letter about the deceased
(`nama_almarhum`, "Nama almarhum/ah"); every other type about its applicant (`nama`, "Nama pemohon").
The public page shows the subject's name masked like every name (`verification.masking.mask_name`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flows.definitions import LetterTypeDef
from verification.masking import mask_name

APPLICANT_FIELD = "nama"
APPLICANT_LABEL = "Nama pemohon"


@dataclass(frozen=True)
class Subject:
    field: str | None  # the request field holding the subject's name; None: the applicant
    label: str  # "Nama anak"


APPLICANT = Subject(None, APPLICANT_LABEL)


def _sentence_case(label: str) -> str:
    first, _, rest = label.partition(" ")
    return f"{first} {rest.lower()}" if rest else first


def subject_of(defn: LetterTypeDef) -> Subject:
    names = {f.name: f for f in defn.fields if f.type == "name"}
    field = next((names[n] for n in defn.template.identity if n in names), None)
    if field is None or field.name == APPLICANT_FIELD:
        return APPLICANT
    return Subject(field.name, _sentence_case(field.label))


def subjects_of(types: Iterable[LetterTypeDef]) -> dict[str, Subject]:
    return {t.code: subject_of(t) for t in types}


def subject_name(subject: Subject, fields: Mapping[str, Any] | None) -> str | None:
    """The subject's masked name from the request's fields (None for the applicant, or when not kept)."""
    if subject.field is None or not fields:
        return None
    return masked_subject(fields.get(subject.field))


def masked_subject(value: Any) -> str | None:
    """A subject's name as the public sees it (None when none is kept)."""
    return mask_name(str(value)) if value else None
