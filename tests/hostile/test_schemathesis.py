"""schemathesis against the app's own OpenAPI schema (`/openapi.json`), over HTTP to uvicorn on loopback as
`esurat demo` starts it, with Telegram in webhook mode on the fake Bot API (so every route is there): no 5xx,
and every error the app explains is explained in Indonesian. Routes that read their body by hand are given
one in the schema (JSON, or the web chat's file upload), so their bodies are generated too.

Run through schemathesis' Python API (one hypothesis run per operation and generation mode), since its
pytest integration (`from_fixture`) does not work with pytest 9. The default run is short (12 cases per
operation and mode); `-m slow` runs about 10,000 cases in all."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from bot.composition import build_services
from bot.server import uvicorn_config
from bot.telegram.runtime import SECRET_HEADER
from bot.web import create_app
from bot.webchat.seed import seed_demo_staff
from config.settings import HttpSettings, Settings, StorageSettings
from tests.dbfixtures import DatabaseFactory
from tests.fakes.telegram_api import FakeTelegram
from tests.hostile.strategies import assert_indonesian
from tests.support.service import free_port
from tests.support.telegram import fake_bot_api, register

SECRET = "schemathesis-secret"
_ANY_JSON: dict[str, Any] = {"content": {"application/json": {"schema": {}}}}
_FILE_FORM: dict[str, Any] = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}


@dataclass
class Live:
    base_url: str


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # signals stay with pytest
        yield


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The demo with Telegram webhooks, served by uvicorn (configured as `esurat` does) in a thread of its own."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    factory = DatabaseFactory("sqlite", tmp)
    factory.template()
    port = free_port()
    ready, stop = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    async def serve() -> None:
        async with FakeTelegram(token="123456:TEST") as tg:
            settings = Settings(
                _env_file=None, demo=True, verify_rate_limit_per_minute=100_000,
                http=HttpSettings(_env_file=None, port=port, public_url="https://esurat.example"),  # (webhooks: https)
                storage=StorageSettings(data_dir=tmp / "data", database_url=await factory.fresh()),
                telegram=fake_bot_api(tg, mode="webhook", webhook_secret=SECRET))
            services = build_services(settings)
            await seed_demo_staff(services.sessions)
            await register(services)
            config = uvicorn_config(create_app(services), settings)
            config.access_log = False
            server = _Server(config)
            task = asyncio.create_task(server.serve())
            while not server.started:
                if task.done():
                    await task
                await asyncio.sleep(0.01)
            ready.set()
            await asyncio.to_thread(stop.wait)
            server.should_exit = True
            await task

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as e:  # noqa: BLE001 - reported to the test
            failure.append(e)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(60) and not failure, failure
    yield Live(f"http://127.0.0.1:{port}")
    stop.set()
    thread.join(30)


@pytest.fixture(scope="module")
def api_schema(live: Live) -> Any:
    raw = httpx.get(f"{live.base_url}/openapi.json").json()
    assert "/v/{public_id}/check" in raw["paths"] and "/webhooks/telegram" in raw["paths"]
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and "requestBody" not in operation:
                operation["requestBody"] = _FILE_FORM if path.endswith("/upload") else _ANY_JSON
    return schemathesis.openapi.from_dict(raw)


def no_5xx_and_errors_in_indonesian(case: Any, live: Live) -> None:
    response = case.call_and_validate(base_url=live.base_url, headers={SECRET_HEADER: SECRET},
                                      checks=[not_a_server_error])
    if response.status_code >= 400 and "json" in (response.headers.get("content-type") or [""])[0]:
        body = response.json()
        for key in ("error", "detail", "message"):
            if isinstance(body, dict) and isinstance(body.get(key), str):
                assert_indonesian(body[key])


def run_schemathesis(api_schema: Any, live: Live, max_examples: int) -> int:
    """Every operation, with valid and with invalid data; all failures reported together. The operations run."""
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                no_5xx_and_errors_in_indonesian(case, live)

            try:
                run()
            except Unsatisfiable:  # no invalid data exists for this operation
                continue
            except Exception as e:  # noqa: BLE001 - collected, and reported below
                failures.append(f"{operation.label} ({mode.value}): {e}")
    assert not failures, "\n\n".join(failures)
    return operations


def test_no_server_errors(api_schema: Any, live: Live) -> None:
    assert run_schemathesis(api_schema, live, max_examples=12) >= 15


@pytest.mark.slow
def test_no_server_errors_slow(api_schema: Any, live: Live) -> None:  # about 10,000 cases
    run_schemathesis(api_schema, live, max_examples=550)


def test_the_schema_is_served(live: Live) -> None:
    r = httpx.get(f"{live.base_url}/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "e-surat"
    assert httpx.get(f"{live.base_url}/docs").status_code == 404  # no interactive docs
