"""Parsers of untrusted input the adapters share: bounded bodies, JSON and database ids from the outside world.

Each returns a value the rest of the service can use as it is, or raises its own error with an
Indonesian message (`BadJson`) or answers None (`row_id`): never an OverflowError, RecursionError or
UnicodeEncodeError later, in the database or a template.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request

ROW_ID_MAX = 2**63 - 1  # the id columns are BIGINT (PostgreSQL) / INTEGER (SQLite): both 64-bit
JSON_MAX_DEPTH = 32  # a Telegram update nests about 8 deep


class BadJson(ValueError):
    """A body that is not JSON this service accepts; str(error) is the Indonesian answer."""


def _reject_constant(name: str) -> Any:
    raise BadJson(f"Nilai {name} tidak diterima dalam JSON.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson("Angka dalam JSON di luar jangkauan.")
    return value


def _bounded_int(text: str) -> int:
    value = int(text) if len(text) <= 20 else ROW_ID_MAX + 1
    if not -ROW_ID_MAX - 1 <= value <= ROW_ID_MAX:
        raise BadJson("Angka dalam JSON terlalu besar (paling banyak 64 bit).")
    return value


def clean_text(text: str) -> str:
    """`text` without NUL characters, which mean nothing in what a person types and which PostgreSQL's text
    columns refuse."""
    return text.replace("\x00", "") if "\x00" in text else text


def _checked(item: Any) -> Any:
    if isinstance(item, str):
        if not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadJson("Teks berisi karakter yang tidak valid.") from None
        return clean_text(item)
    return item


def parse_json(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """The JSON value of `body`: UTF-8, integers of 64 bits, finite numbers, no lone surrogates, at most
    `max_depth` deep; NUL characters are taken out of its strings (see `clean_text`)."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant,
                           parse_int=_bounded_int, parse_float=_finite_float)
    except RecursionError:
        raise BadJson(f"JSON terlalu dalam (paling banyak {max_depth} tingkat).") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise BadJson(str(e) if isinstance(e, BadJson) else "Isi permintaan bukan JSON yang valid.") from None
    value = _checked(value)
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth >= max_depth:
            raise BadJson(f"JSON terlalu dalam (paling banyak {max_depth} tingkat).")
        if isinstance(item, list):
            item[:] = [_checked(child) for child in item]
            children = item
        else:
            cleaned = {_checked(k): _checked(v) for k, v in item.items()}
            item.clear()
            item.update(cleaned)
            children = list(item.values())
        stack.extend((child, depth + 1) for child in children)
    return value


async def read_json(request: Request, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """The JSON posted (see `parse_json`); the body's size is bounded by `BodyLimit`."""
    return parse_json(await request.body(), max_depth)


def row_id(value: object) -> int | None:
    """A database id from untrusted input (an int, or a string of ASCII digits), or None."""
    if isinstance(value, str):
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 19 else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= ROW_ID_MAX else None


async def read_bounded(declared_length: str | None, chunks: AsyncIterator[bytes], limit: int) -> bytes | None:
    """The whole of a body arriving in `chunks`, or None when it is (or declares to be) longer than `limit`
    bytes: reading stops there, so an oversized body costs no more than `limit` bytes of memory."""
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


async def read_body(request: Request, limit: int) -> bytes | None:
    """A request's body, or None when it is longer than `limit` bytes (read no further)."""
    return await read_bounded(request.headers.get("content-length"), request.stream(), limit)
