"""One text value of a JSON column, as SQL that an expression index can serve on both backends:
`fields ->> 'nik'` on PostgreSQL, `json_extract(fields, '$.nik')` on SQLite. The key is a literal
(not a bound parameter), so a query's expression is exactly the indexed one."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

_KEY = re.compile(r"[a-z_][a-z0-9_]*")


class JsonText(ColumnElement[str]):
    inherit_cache = False  # statements with it are not cached (the key is part of the SQL text)
    type = String()

    def __init__(self, column: ColumnElement[Any], key: str) -> None:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a plain JSON key: {key!r}")
        self.column = column
        self.key = key


@compiles(JsonText, "postgresql")
def _pg(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} ->> '{element.key}')"


@compiles(JsonText)
def _default(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.column, **kw)}, '$.{element.key}')"
