"""How the send-error metric (`esurat_send_errors_total{channel,code}`) names a failed send: the code the
platform answered, or why no answer came.

- An answer: the exception's `code` (`RetryLater` and `PermanentFailure` carry the one their channel read,
  e.g. Telegram's HTTP status or a Graph API error code), else its HTTP `status`.
- No answer: "timeout" (a timeout anywhere under the exception) or "network" (a refused, reset or dropped
  connection, a failed name lookup: `ConnectionError`, `socket.gaierror`, or a transport error of the HTTP
  client library in use, httpx or aiohttp, read only if the process loaded it).
- Anything else (a bug, a missing file): the exception's class name.
"""

from __future__ import annotations

import socket
import sys

from db.health import exception_chain

_NETWORK: tuple[type[BaseException], ...] = (ConnectionError, socket.gaierror)


def error_code(e: BaseException) -> str:
    for attribute in ("code", "status"):
        value = getattr(e, attribute, None)
        if isinstance(value, int | str) and not isinstance(value, bool) and value != "":
            return str(value)
    timeouts, network = _client_errors()
    for cause in exception_chain(e):
        if isinstance(cause, timeouts):
            return "timeout"
        if isinstance(cause, network):
            return "network"
    return type(e).__name__


def _client_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(timeouts, no-answer errors), with those of the HTTP client libraries this process has loaded."""
    timeouts: list[type[BaseException]] = [TimeoutError]
    network = list(_NETWORK)
    if (httpx := sys.modules.get("httpx")) is not None:
        timeouts.append(httpx.TimeoutException)
        network.append(httpx.TransportError)
    if (aiohttp := sys.modules.get("aiohttp")) is not None:
        network.append(aiohttp.ClientConnectionError)  # (its timeouts are TimeoutErrors)
    return tuple(timeouts), tuple(network)
