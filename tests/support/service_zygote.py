"""A fork server for `esurat run` (run as a script by tests/support/zygote.Zygote, never imported by it).

It imports the service's modules once (the CLI, the server, aiogram: most of the 2-4 s a fresh
`esurat run` spends before it serves, all of it CPU), then for every request on stdin forks a child that
runs exactly what `esurat run` runs: `bot.cli.app` with the arguments asked for, in its own working
directory, environment and log file. No event loop, thread or connection exists here before the fork, so
the child starts as a fresh process would, minus the imports. A SIGKILL of the child cuts it as it would
cut `esurat run`. Protocol, one JSON object per line:
  in:  {"argv": ["run"], "env": {...}, "cwd": "...", "log": "..."}
  out: {"pid": N} for each request, {"exit": N, "code": C} when child N ends (C < 0: killed by signal -C).
End of stdin: the children still running are killed and the server exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
from pathlib import Path


def _preload() -> None:
    import bot.cli  # noqa: F401
    import bot.server  # noqa: F401

    with contextlib.suppress(ImportError):
        import aiogram  # noqa: F401 - its types are pydantic models: the largest part of the start
        import aiogram.client.session.aiohttp  # noqa: F401


def _child(request: dict[str, object]) -> None:
    """In the forked child: become `esurat <argv>`; never returns."""
    code = 1
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        log = os.open(str(request["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(devnull)
        os.close(log)
        os.chdir(str(request["cwd"]))
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        argv = request["argv"]
        assert isinstance(argv, list)
        sys.argv = ["esurat", *map(str, argv)]
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        from bot.cli import app

        try:
            app(prog_name="esurat")
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - report it in the log like an uncaught exception would be
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _say(message: dict[str, int]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    # Run as a script, sys.path[0] is this directory, whose modules (flows.py, ...) would hide the service's
    # packages of the same name: the repository's root instead.
    sys.path[0] = str(Path(__file__).resolve().parents[2])
    _preload()
    children: set[int] = set()
    _say({"ready": os.getpid()})
    buffer = b""
    stdin = sys.stdin.fileno()
    open_ = True
    while open_ or children:
        if open_:
            readable, _, _ = select.select([stdin], [], [], 0.02)
        else:
            readable = []
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                open_ = False
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if not line.strip():
                    continue
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                children.add(pid)
                _say({"pid": pid})
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                break
            if pid == 0:
                break
            children.discard(pid)
            _say({"exit": pid, "code": os.waitstatus_to_exitcode(status)})
        if not open_ and children:
            select.select([], [], [], 0.02)


if __name__ == "__main__":
    main()
