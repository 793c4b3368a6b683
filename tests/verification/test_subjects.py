"""Whose letter it is: a birth letter is the child's, a death letter the deceased's (issue #11: the
page named the reporting parent as the holder)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from flows import load_catalogue
from tests.support.letter_samples import letter_types
from tests.support.verification import Service
from verification.subjects import APPLICANT, Subject, subject_name, subject_of

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(("code", "expected"), [
    ("kelahiran", Subject("nama_anak", "Nama anak")),
    ("kematian", Subject("nama_almarhum", "Nama almarhum/ah")),
    ("sktm", APPLICANT), ("sku", APPLICANT), ("domisili", APPLICANT),
])
def test_the_subject_comes_from_the_letter_types_identity_block(code: str, expected: Subject) -> None:
    assert subject_of(CATALOGUE[code]) == expected


def test_the_subjects_name_is_masked() -> None:
    subject = subject_of(CATALOGUE["kelahiran"])
    assert subject_name(subject, {"nama": "Siti Aminah", "nama_anak": "Budi Santoso"}) == "BUDI S***"
    assert subject_name(APPLICANT, {"nama": "Siti Aminah"}) is None
    assert subject_name(subject, {}) is None


def test_a_birth_letters_page_names_the_child_and_the_reporting_parent_as_applicant(service: Service) -> None:
    defn = next(t for t in letter_types() if t.code == "kelahiran")
    issued = service.issue(defn)
    record = dataclasses.replace(service.records[issued.public_id], subject_label="Nama anak",
                                 subject_name_masked="BUDI S***")
    service.source.add(record)
    page = httpx.get(f"{service.base_url}/v/{issued.public_id}").text
    assert "<dt>Nama anak</dt><dd>BUDI S***</dd>" in page
    assert f"<dt>Nama pemohon</dt><dd>{record.holder_name_masked}</dd>" in page
    assert "pemegang" not in page
