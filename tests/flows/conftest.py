"""Fixtures for the conversation engine tests (the driver itself is in `support`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows import Catalogue, Directory
from tests.support.flows import Chat


@pytest.fixture(scope="session")
def make_chat(catalogue: Catalogue, directory: Directory) -> Callable[..., Chat]:
    def make(**kwargs: Any) -> Chat:
        return Chat(catalogue, directory, **kwargs)

    return make


@pytest.fixture
def chat(make_chat: Callable[..., Chat]) -> Chat:
    return make_chat()
