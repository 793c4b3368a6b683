"""While an uploaded PDF is checked, the PDF library's own log records are dropped.

pyHanko logs tracebacks (`exc_info`) at WARNING and ERROR when it meets a damaged or tampered
signature, then raises or returns a failed status, which the check reports as its verdict;
anyone can upload such a file, so the log would fill with tracebacks of other people's files.
`quiet_library_logs()` marks the current check (a context variable, so other threads and the
letter signing keep their logs) and the verification service writes one line of its own.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

LIBRARIES = ("pyhanko", "pyhanko_certvalidator")
_checking: ContextVar[bool] = ContextVar("esurat_checking_upload", default=False)


class _DropWhileChecking(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _checking.get()


_FILTER = _DropWhileChecking()


def _install() -> None:
    """On every library logger that exists (each module makes its own at import; filters are not inherited)."""
    names = [n for n in list(logging.root.manager.loggerDict)
             if n.split(".", 1)[0] in LIBRARIES]
    for name in [*LIBRARIES, *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


@contextlib.contextmanager
def quiet_library_logs() -> Iterator[None]:
    _install()
    token = _checking.set(True)
    try:
        yield
    finally:
        _checking.reset(token)
