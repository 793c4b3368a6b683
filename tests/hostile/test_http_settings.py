"""The http settings of this part reach their group from the environment: host names and proxies as
comma-separated lists, the body limits; a proxy that is not an address or a network stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.http_guards import LOOPBACK_HOSTS, served_hosts
from config.settings import HttpSettings, Settings

VARS = ("ESURAT_HTTP_ALLOWED_HOSTS", "ESURAT_HTTP_TRUSTED_PROXIES", "ESURAT_HTTP_MAX_BODY_BYTES",
        "ESURAT_HTTP_MAX_CHECK_BYTES", "ESURAT_PUBLIC_URL", "ESURAT_DEMO")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_the_variables_reach_the_http_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESURAT_HTTP_ALLOWED_HOSTS", "www.esurat.example, Alias.Example.,")
    monkeypatch.setenv("ESURAT_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1,::1")
    monkeypatch.setenv("ESURAT_HTTP_MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("ESURAT_HTTP_MAX_CHECK_BYTES", "1048576")
    monkeypatch.setenv("ESURAT_PUBLIC_URL", "https://ESURAT.palangkaraya.go.id/")
    http = Settings().http
    assert http.allowed_hosts == ["www.esurat.example", "alias.example"]
    assert http.trusted_proxies == ["10.0.0.0/8", "192.0.2.1", "::1"]
    assert (http.max_body_bytes, http.max_check_bytes) == (65536, 1048576)
    assert served_hosts(Settings()) == LOOPBACK_HOSTS | {"esurat.palangkaraya.go.id", "www.esurat.example",
                                                         "alias.example"}
    monkeypatch.setenv("ESURAT_DEMO", "true")
    assert served_hosts(Settings()) == LOOPBACK_HOSTS  # the demo: loopback names only, whatever is configured


def test_defaults() -> None:
    http = HttpSettings(_env_file=None)
    assert http.allowed_hosts == [] and http.trusted_proxies == []
    assert (http.max_body_bytes, http.max_check_bytes) == (1024 * 1024, 2 * 1024 * 1024)
    assert served_hosts(Settings(_env_file=None, http=http)) == LOOPBACK_HOSTS  # the default public URL is loopback


@pytest.mark.parametrize("proxy", ["proxy.local", "10.0.0.0/33", "*"])
def test_a_proxy_that_is_not_an_address_stops_the_start(monkeypatch: pytest.MonkeyPatch, proxy: str) -> None:
    monkeypatch.setenv("ESURAT_HTTP_TRUSTED_PROXIES", proxy)
    with pytest.raises(ValidationError, match="bukan alamat IP atau jaringan"):
        Settings()
