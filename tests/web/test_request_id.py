"""The request id: every answer carries an `X-Request-ID` (the client's own when well-formed, else a new one),
and every log line written while the request is handled carries it as `request_id`, in the JSON and the
key=value formats, uvicorn's access line included; on both databases."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx

from tests.support.logs import capture_logs
from tests.support.service import RunningService
from tests.support.webchat import Demo

GENERATED = re.compile(r"[0-9a-f]{32}")
AGENCY_API = "/api/v1/verifikasi"  # without a key: refused, and the refusal logged (a warning)


async def test_every_answer_has_an_id_of_its_own(demo: Demo) -> None:
    ids = [(await demo.client.get("/healthz")).headers["x-request-id"] for _ in range(3)]
    assert all(GENERATED.fullmatch(i) for i in ids) and len(set(ids)) == 3
    refused = await demo.client.get("/healthz", headers={"Host": "elsewhere.example"})  # the host guard's answer
    assert refused.status_code == 400 and GENERATED.fullmatch(refused.headers["x-request-id"])
    assert refused.headers.get_list("x-request-id") == [refused.headers["x-request-id"]]


async def test_a_well_formed_client_id_is_kept_a_malformed_one_replaced(demo: Demo) -> None:
    for given in ("abc", "req-2026.11_22", "a" * 64, "0" * 16):
        r = await demo.client.get("/healthz", headers={"X-Request-ID": given})
        assert r.headers["x-request-id"] == given
    for bad in (b"", b"a" * 65, b"two words", b"x;y", b"<script>", "caf\xe9".encode("latin-1")):
        r = await demo.client.get("/healthz", headers={b"X-Request-ID": bad})
        assert GENERATED.fullmatch(r.headers["x-request-id"]), (bad, r.headers["x-request-id"])


async def test_a_json_log_line_of_a_request_carries_the_id_its_answer_shows(demo: Demo) -> None:
    with capture_logs("json", level="INFO") as logs:
        given = await demo.client.post(AGENCY_API, json={"surat": []}, headers={"X-Request-ID": "ticket-4711"})
        made = await demo.client.post(AGENCY_API, json={"surat": []}, headers={"X-Request-ID": "bad id"})
        logging.getLogger("esurat.test").warning("between requests")
    assert given.status_code == made.status_code == 401
    docs = [json.loads(line) for line in logs.text.splitlines()]
    refusals = [d for d in docs if d["msg"].startswith("API instansi: permintaan ditolak")]
    assert [d["request_id"] for d in refusals] == ["ticket-4711", made.headers["x-request-id"]]
    assert made.headers["x-request-id"] != "bad id"
    [outside] = [d for d in docs if d["msg"] == "between requests"]
    assert "request_id" not in outside  # the id is the request's only


async def test_the_access_line_in_the_text_format_carries_the_id(tmp_path: Path, db_url: str) -> None:
    with capture_logs("text", level="INFO") as logs:
        async with RunningService(tmp_path / "data", db_url) as service:
            logs.adopt_uvicorn()  # as `esurat run` has it: uvicorn's records through the service's handler
            async with httpx.AsyncClient(base_url=service.base_url) as client:
                r = await client.get("/healthz", headers={"X-Request-ID": "probe-7"})
    assert r.headers["x-request-id"] == "probe-7"
    [line] = [x for x in logs.text.splitlines() if " uvicorn.access: " in x and "/healthz" in x]
    assert line.endswith(' request_id="probe-7"'), line
