"""Shared field definitions: a letter type's `fields:` (or a group's) may include a fragment file.

    fields:
      - include: identitas            # every field of _fragments/identitas.yaml, in its order
      - include: identitas
        only: [alamat, rt_rw]         # just these (or `except: [...]`: all but these)
        override:                     # this type's changes to an included field
          alamat: {prompt: Di mana alamat Anda?}
      - name: keperluan               # the type's own fields as before
        ...

Includes are expanded on the raw data before validation: a letter type is validated, and its
problems reported, as the expanded list of fields; a problem in an included field also names
the fragment. A broken include names the type file, the include and the fragment file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

FRAGMENTS_DIR = "_fragments"
_NAMES = re.compile(r"\([^)]*\)")  # the "(nik)" parts of a problem's location


class FragmentError(ValueError):
    """An include that cannot be expanded: `where` in the type file, `message` names the fragment."""

    def __init__(self, where: str, message: str):
        self.where, self.message = where, message
        super().__init__(f"{where}: {message}")


class Include(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    include: str
    only: list[str] | None = None
    except_: list[str] = Field(default_factory=list, alias="except")
    override: dict[str, dict[str, Any]] = Field(default_factory=dict)


@dataclass
class Expanded:
    """A letter type's data with its includes expanded, and where each included field came from."""

    data: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)  # "fields[3]", "groups[0].fields[1]" -> fragment

    def note(self, where: str) -> str:
        """" (field from fragment X)" when the problem at `where` is in an included field."""
        path = _NAMES.sub("", where)
        for prefix, name in self.origins.items():
            if path == prefix or path.startswith((f"{prefix}.", f"{prefix}[")):
                return f" (field from fragment {name!r})"
        return ""


class Fragments:
    """The fragment files of a catalogue folder (`<folder>/_fragments/<name>.yaml`), read once each."""

    def __init__(self, folder: Path):
        self.folder = folder / FRAGMENTS_DIR
        self._fields: dict[str, list[dict[str, Any]]] = {}

    def expand(self, data: dict[str, Any]) -> Expanded:
        out = Expanded(dict(data))
        out.data["fields"] = self._expand_list(data.get("fields"), "fields", out.origins)
        groups = data.get("groups")
        if isinstance(groups, list):
            out.data["groups"] = [
                {**g, "fields": self._expand_list(g.get("fields"), f"groups[{i}].fields", out.origins)}
                if isinstance(g, dict) else g for i, g in enumerate(groups)
            ]
        return out

    def _expand_list(self, items: Any, where: str, origins: dict[str, str]) -> Any:
        if not isinstance(items, list):
            return items
        out: list[Any] = []
        for i, item in enumerate(items):
            if not (isinstance(item, dict) and "include" in item):
                out.append(item)
                continue
            for f in self._included(item, f"{where}[{i}](include {item.get('include')})"):
                origins[f"{where}[{len(out)}]"] = str(item["include"])
                out.append(f)
        return out

    def _included(self, item: dict[str, Any], where: str) -> list[dict[str, Any]]:
        try:
            inc = Include.model_validate(item)
        except ValidationError as e:
            first = e.errors()[0]
            raise FragmentError(where, f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        fields = self._load(inc.include, where)
        names = [f["name"] for f in fields]
        file = self._file(inc.include)
        for key, chosen in (("only", inc.only or []), ("except", inc.except_), ("override", list(inc.override))):
            unknown = [n for n in chosen if n not in names]
            if unknown:
                raise FragmentError(where, f"{key}: {unknown} are not fields of fragment {inc.include!r} ({file})")
        if inc.only is not None and inc.except_:
            raise FragmentError(where, "use either `only` or `except`, not both")
        kept = [f for f in fields if (inc.only is None or f["name"] in inc.only) and f["name"] not in inc.except_]
        return [{**f, **inc.override.get(f["name"], {})} for f in kept]

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.yaml"

    def _load(self, name: str, where: str) -> list[dict[str, Any]]:
        if name in self._fields:
            return self._fields[name]
        file = self._file(name)
        if not name.isidentifier() or not file.is_file():
            raise FragmentError(where, f"unknown fragment {name!r} (no file {file})")
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            problem = str(e).replace("\n", " ")
            raise FragmentError(where, f"fragment {name!r} ({file}) is not valid YAML: {problem}") from None
        fields = data.get("fields") if isinstance(data, dict) else None
        if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
            raise FragmentError(where, f"fragment {name!r} ({file}) needs `fields:`, a list of fields with names")
        if any("include" in f for f in fields):
            raise FragmentError(where, f"fragment {name!r} ({file}) may not include other fragments")
        self._fields[name] = fields
        return fields
