"""uvicorn's access lines of polling lowered to DEBUG: a browser running the web chat asks every second
or two whether there is news, and at INFO those lines were nearly the whole log (93% of a demo's)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Paths a client polls (GET): the web chat's messages, the staff pane's cards (bot/webchat/static) and the
# desk's version (bot/desk/static/live.js).
POLLING_PATHS = (re.compile(r"/demo/api/chat/messages"), re.compile(r"/demo/api/staff/[^/]+/cards"),
                 re.compile(r"/desk/api/versi"))


class PollingAccessFilter(logging.Filter):
    """On uvicorn's access logger: the line of a successful GET of a polled path (`POLLING_PATHS`) is a
    DEBUG record, kept only when the logger is at DEBUG; every other access line is left alone."""

    def __init__(self, paths: Iterable[re.Pattern[str]] = POLLING_PATHS) -> None:
        super().__init__()
        self.paths = tuple(paths)

    def polled(self, record: logging.LogRecord) -> bool:
        args = record.args  # uvicorn: (client, method, path with query, HTTP version, status code)
        if not (isinstance(args, tuple) and len(args) == 5):
            return False
        _, method, path, _, status = args
        return (method == "GET" and isinstance(status, int) and 200 <= status < 400
                and any(p.fullmatch(str(path).partition("?")[0]) for p in self.paths))

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or not self.polled(record):
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return True


def quiet_polling(access_logger: logging.Logger) -> None:
    """Put one `PollingAccessFilter` on uvicorn's access logger (again: replaces the one there)."""
    for old in [f for f in access_logger.filters if isinstance(f, PollingAccessFilter)]:
        access_logger.removeFilter(old)
    access_logger.addFilter(PollingAccessFilter())
