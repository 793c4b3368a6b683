"""Every log line of the process captured through the service's own logging setup (`bot.logging_setup`),
in JSON or key=value text, restored afterwards."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterable, Iterator

from bot.logging_setup import configure_logging, unconfigure_logging

QUIET = ("uvicorn", "uvicorn.error", "uvicorn.access")


class LogCapture:
    def __init__(self, stream: io.StringIO, handler: logging.Handler) -> None:
        self.stream = stream
        self.handler = handler

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def adopt_uvicorn(self) -> None:
        """uvicorn.Config (as the tests start it) installs its own handlers; send its records here too,
        at every level, as `esurat run` does (it starts uvicorn with log_config=None)."""
        for name in QUIET:
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
            logger.setLevel(logging.NOTSET)

    def only_here(self) -> None:
        """pytest's own capture handlers (added for each test phase) keep WARNING and above: formatting
        thousands of DEBUG lines twice triples the test's time."""
        for handler in logging.getLogger().handlers:
            if handler is not self.handler:
                handler.setLevel(logging.WARNING)


@contextlib.contextmanager
def capture_logs(fmt: str = "json", level: str = "DEBUG", secrets: Iterable[str] = ()) -> Iterator[LogCapture]:
    root = logging.getLogger()
    saved_level = root.level
    saved_uvicorn = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate,
                         logging.getLogger(n).level) for n in QUIET}
    stream = io.StringIO()
    handler = configure_logging(level, fmt, secrets=secrets, stream=stream, replace=False)
    try:
        yield LogCapture(stream, handler)
    finally:
        unconfigure_logging()
        root.removeHandler(handler)
        root.setLevel(saved_level)
        for name, (handlers, propagate, logger_level) in saved_uvicorn.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.propagate, logger.level = propagate, logger_level
        logging.captureWarnings(False)
