"""Keys and files: the SQLite database (with its -wal and -shm), uploads, issued letters, seal keys and
the CA are 0600 in 0700 directories whatever the umask; uploads are served by no route but the demo staff
pane's attachment route (only in demo mode, only for the request's kelurahan)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from db.models import Attachment
from tests.privacy.conftest import demo_service
from tests.support.webchat import SAMPLE_KTP
from tests.web.test_api import act, cards, submitted_sktm

DEMO_ATTACHMENT_ROUTE = "/demo/api/staff/{slug}/attachments/{attachment_id}"


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = request.param
    old = os.umask(value)
    try:
        yield value
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def fill(route_path: str, value: str) -> str:
    """A route's path with `value` for each parameter (the kelurahan for `{slug}`)."""
    return re.sub(r"\{(\w+)\}", lambda m: "bukit-tunggal" if m.group(1) == "slug" else value, route_path)


def mounts(routes: list[Any]) -> Iterator[Mount]:
    """Every mount of the app, those of the routers it includes (each channel's) too."""
    for route in routes:
        if isinstance(route, Mount):
            yield route
        included = getattr(route, "original_router", None)  # an included router (FastAPI keeps it whole)
        if included is not None:
            yield from mounts(included.routes)


def static_dirs(app: FastAPI) -> list[Path]:
    dirs = [route.app.directory for route in mounts(app.routes) if isinstance(route.app, StaticFiles)]
    assert len(dirs) >= 2
    return [Path(str(d)).resolve() for d in dirs]


@pytest.mark.parametrize("umask", [0o022, 0o000], indirect=True, ids=["umask-022", "umask-000"])
async def test_everything_under_the_data_dir_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    async with demo_service(data) as demo:
        await submitted_sktm(demo)
        [card] = (await cards(demo.client))["cards"]
        assert (await act(demo.client, card["request_id"], "approve")).status_code == 200
        found = modes(data)  # while the database is open: its -wal and -shm files exist
    kinds = {name.split("/")[0] for name in found}
    assert {"esurat.sqlite3", "esurat.sqlite3-wal", "esurat.sqlite3-shm", "uploads", "letters", "keys",
            "pki"} <= kinds, sorted(found)
    assert any(n.startswith("letters/") and n.endswith(".pdf") for n in found)
    assert any(n.startswith("pki/kelurahan/") and n.endswith(".key.pem") for n in found)
    assert any(n.startswith("uploads/") and n.endswith(".png") for n in found)
    wrong = {name: oct(mode) for name, mode in found.items()
             if mode != (0o700 if (data / name).is_dir() else 0o600)}
    assert not wrong, f"umask {oct(umask)}: {wrong}"


async def test_files_left_open_by_an_older_version_are_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for d in ("", "uploads", "letters", "keys"):
        (data / d).mkdir(parents=True, exist_ok=True)
        os.chmod(data / d, 0o755)
    async with demo_service(data):
        pass
    (data / "esurat.sqlite3").chmod(0o644)
    async with demo_service(data):
        found = modes(data)
    assert found["."] == found["uploads"] == found["letters"] == found["keys"] == 0o700
    assert found["esurat.sqlite3"] == 0o600


async def test_uploads_are_served_by_no_route_but_the_demo_staff_attachment(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with demo_service(data) as demo:
        await submitted_sktm(demo)
        async with demo.services.sessions() as s:
            att = (await s.scalars(select(Attachment).limit(1))).one()
        uploads = demo.settings.storage.uploads_dir.resolve()
        # No static mount serves any part of the data directory.
        for served in static_dirs(demo.app):
            assert not data.resolve().is_relative_to(served) and not served.is_relative_to(data.resolve())
        # Every GET route, its parameters filled with what could name the upload: only the demo
        # staff pane's attachment route returns its bytes.
        candidates = [str(att.id), att.path, Path(att.path).name, f"../uploads/{att.path}",
                      f"..%2Fuploads%2F{att.path}", str(uploads / att.path), "bukit-tunggal"]
        serving: set[str] = set()
        get_paths = [p for p, ops in demo.app.openapi()["paths"].items() if "get" in ops]
        assert DEMO_ATTACHMENT_ROUTE in get_paths and len(get_paths) > 5
        for route_path in get_paths:
            for value in candidates:
                path = fill(route_path, value)
                r = await demo.client.get(path)
                if r.status_code == 200 and r.content == SAMPLE_KTP:
                    serving.add(route_path)
        for path in ("/static/../uploads/" + att.path, "/demo/static/../../uploads/" + att.path,
                     "/uploads/" + att.path, "/" + att.path):
            r = await demo.client.get(path)
            assert r.content != SAMPLE_KTP, path
        assert serving == {DEMO_ATTACHMENT_ROUTE}
        demo.settings.demo = False  # `esurat run`: not even that one
        assert (await demo.client.get(f"/demo/api/staff/bukit-tunggal/attachments/{att.id}")).status_code == 404


def test_only_sqlite_urls_name_a_database_file(tmp_path: Path) -> None:
    from db.engine import sqlite_file

    assert sqlite_file("postgresql+asyncpg://postgres@127.0.0.1:5432/esurat") is None
    assert sqlite_file("sqlite+aiosqlite://") is None and sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file(f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3") == tmp_path / "db.sqlite3"
