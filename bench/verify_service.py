"""The service under test for `bench_verify.py`: `esurat run` in a process of its own over a prepared database,
the ids wrk asks for (sampled from the database), the wrk scripts, and wrk itself (in a process of its own)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.service_process import ESURAT, NO_LIMIT, service_env, start_service
from bench.verify_data import RAW_NAME, RAW_NIK, sample_ids
from db.engine import make_engine
from tests.support.service import free_port

# wrk: an id drawn at random from the sampled ones (the seed differs by run), or each in turn (the warm-up)
SCRIPT = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
local headers = %(headers)s
local i = 0
math.randomseed(%(seed)d)
request = function()
  i = i + 1
  local id = %(pick)s
  return wrk.format("GET", "/v/" .. id, headers)
end
"""
JSON = '{["Accept"] = "application/json"}'


async def _sample(url: str, n: int) -> list[str]:
    engine = make_engine(url)
    try:
        return await sample_ids(engine, n)
    finally:
        await engine.dispose()


@dataclass
class Service:
    base: str
    work: Path
    ids: list[str]
    proc: subprocess.Popen[bytes]

    @classmethod
    def start(cls, url: str, work: Path, sample: int, env: dict[str, str]) -> Service:
        work.mkdir(parents=True, exist_ok=True)
        ids = asyncio.run(_sample(url, sample))
        (work / "ids.txt").write_text("\n".join(ids) + "\n")
        for name, headers, pick in (("html", "{}", "ids[math.random(#ids)]"), ("json", JSON, "ids[math.random(#ids)]"),
                                    ("warm", "{}", "ids[(i % #ids) + 1]")):
            (work / f"{name}.lua").write_text(SCRIPT % {"ids": work / "ids.txt", "headers": headers, "pick": pick,
                                                        "seed": time.time_ns() % 1_000_000})
        port = free_port()
        full = service_env(work / "data", port, ESURAT_DATABASE_URL=url, ESURAT_VERIFY_RATE_LIMIT_PER_MINUTE=NO_LIMIT,
                           **env)
        proc = start_service(ESURAT, full, work / "service.log", port, timeout=120)
        return cls(f"http://127.0.0.1:{port}", work, ids, proc)

    def check_pages(self) -> None:
        """The sampled letters are found ASLI, with their holder's name and NIK masked; an unknown id is not."""
        for public_id in self.ids[:: max(1, len(self.ids) // 5)]:
            page = httpx.get(f"{self.base}/v/{public_id}", timeout=10)
            data = httpx.get(f"{self.base}/v/{public_id}", headers={"Accept": "application/json"}, timeout=10).json()
            assert page.status_code == 200 and "ASLI" in page.text, page.text[:300]
            assert data["status"] == "ASLI" and data["letter"]["public_id"] == public_id, data
            assert "*" in data["letter"]["nik"] and RAW_NIK not in page.text + str(data), "NIK not masked"
            assert RAW_NAME not in page.text + str(data), "name not masked"
        assert httpx.get(f"{self.base}/v/{'A' * 26}", timeout=10).status_code == 404

    def warm_up(self) -> None:
        """One pass over every sampled id (a service that has been up keeps the records asked for lately)."""
        seconds = max(2, len(self.ids) // 1500)
        subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(self.work / "warm.lua"), self.base],
                       capture_output=True, check=True)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system; Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(service: Service, endpoint: str, seconds: int) -> tuple[float, float]:
    """(requests per second, the service's CPU microseconds per request) of `endpoint` (healthz, html, json) under
    wrk: 1 thread, 32 connections. The second figure hardly depends on what else the machine runs meanwhile."""
    script = [] if endpoint == "healthz" else ["-s", str(service.work / f"{endpoint}.lua")]
    path = "/healthz" if endpoint == "healthz" else ""
    cpu = cpu_seconds(service.proc.pid)
    text = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", *script, service.base + path],
                          capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(service.proc.pid) - cpu
    found, count = re.search(r"Requests/sec:\s+([\d.]+)", text), re.search(r"(\d+) requests in", text)
    assert found and count, text
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if refused:  # e.g. 429: the rate limit in the way, or errors
        raise SystemExit(f"{endpoint} on {service.base}: {refused.group(1)} answers not 2xx\n{text}")
    return float(found.group(1)), cpu * 1e6 / max(1, int(count.group(1)))
