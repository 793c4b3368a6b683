"""Fixtures of the visit tests: the catalogue and directory of the engine tests."""

from __future__ import annotations

import pytest

from flows import Catalogue, Directory, load_catalogue
from tests.support.flows import seed_directory


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def directory() -> Directory:
    return seed_directory()
