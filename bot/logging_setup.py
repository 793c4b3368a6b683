"""The process's logging: set up once at start-up (`esurat run` / `esurat demo`), one line per record
(`key=value` text, or a JSON object with ESURAT_LOG_FORMAT=json), and personal data and secrets masked
in every record whoever wrote it (e-surat, uvicorn, aiogram, aiohttp, httpx, aiosqlite's DEBUG lines
that carry SQL parameters, ...): 16-digit NIK/KK numbers, Indonesian phone numbers, bot tokens (also in
`/bot<token>/` URLs) and the configured secrets, in the message and its arguments, in extra fields
and in exception and stack text.

Masking happens twice: when a record is made (a wrapped log-record factory: message, arguments,
exception), so that every handler sees the masked record, and again in the handler's filter (extra
fields are added after the record is made).

uvicorn's access lines of the web chat's polling are lowered to DEBUG (`bot.access_log`). A record written
while an HTTP request is handled carries that request's id as `request_id` (`bot.request_id`)."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot import request_id
from bot.access_log import quiet_polling

# Runs of 16 or more digits: NIK and KK numbers (region code and last 4 digits kept, as on the letters).
_LONG_NUMBER = re.compile(r"(?<!\d)(\d{4})(\d{8,})(\d{4})(?!\d)")
# Indonesian phone numbers: 08..., +62..., 62... with optional spaces, dots or dashes between digits.
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?62|62|0(?=[\s.-]?8))(?:[\s.()-]{0,2}\d){8,13}(?!\d)")
# Telegram bot tokens, alone or in Bot API URLs (https://api.telegram.org/bot<token>/sendMessage).
_TOKEN_URL = re.compile(r"/bot\d+(?::|%3[aA])[^/\s?#\"']+")
_TOKEN = re.compile(r"(?<![\w])\d{5,}(?::|%3[aA])[A-Za-z0-9_-]{30,}")

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "_esurat_masked"}
_secrets: list[str] = []


def mask(text: str) -> str:
    """`text` with NIK/KK numbers, phone numbers, bot tokens and the configured secrets masked."""
    text = _TOKEN_URL.sub("/bot[token]", text)
    text = _TOKEN.sub("[token]", text)
    for secret in _secrets:
        text = text.replace(secret, "[rahasia]")
    text = _LONG_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _PHONE.sub("[telepon]", text)


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, bool | float):
        return value
    text = repr(value)
    cleaned = mask(text)
    return value if cleaned == text else cleaned


def mask_record(record: logging.LogRecord) -> None:
    """Mask `record` in place: message with its arguments, extra fields, exception and stack text."""
    if not getattr(record, "_esurat_masked", False):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: log what was given
            message = f"{record.msg!r} {record.args!r}"
        cleaned = mask(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        setattr(record, "_esurat_masked", True)  # noqa: B010 - not a LogRecord attribute mypy knows
    for key, value in list(record.__dict__.items()):
        if key not in _STANDARD:
            record.__dict__[key] = _masked_value(value)


class MaskingFilter(logging.Filter):
    """Masks every record that passes through (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record written while a request is handled (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id.current()
        if rid is not None and "request_id" not in record.__dict__:
            record.request_id = rid
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class KeyValueFormatter(logging.Formatter):
    """`2026-11-22T08:00:00.123Z INFO esurat.web: message key=value`, then the traceback, if any."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = f"{when} {record.levelname} {record.name}: {record.getMessage()}"
        line += "".join(f" {k}={json.dumps(v, default=str, ensure_ascii=False)}" for k, v in _extras(record).items())
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + record.stack_info
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the extra fields, and exc (the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(), **_extras(record),
        }
        if record.exc_text:
            doc["exc"] = record.exc_text
        if record.stack_info:
            doc["stack"] = record.stack_info
        return json.dumps(doc, default=str, ensure_ascii=False)


class _MaskingFactory:
    """The log-record factory, wrapped so that every record is masked as it is made."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        mask_record(record)
        return record


def configure_logging(level: str | int = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (),
                      stream: TextIO | None = None, replace: bool = True) -> logging.Handler:
    """Send every logger's records through one masking handler on the root logger (replacing the
    handlers there, unless `replace` is false); `secrets`: literal values never to be logged (the bot
    token, the webhook secret)."""
    _secrets[:] = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(factory))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    for old in list(root.handlers) if replace else []:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # uvicorn's own handlers would bypass ours
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)  # uvicorn sets its own from its log_level when it starts
    quiet_polling(logging.getLogger("uvicorn.access"))
    logging.captureWarnings(True)
    return handler


def unconfigure_logging() -> None:
    """Undo the record factory wrapping (tests that configured logging restore the process after)."""
    factory = logging.getLogRecordFactory()
    if isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(factory.inner)
    _secrets.clear()
