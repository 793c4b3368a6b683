"""Copies of pydantic data models that share nothing mutable with the original, planned once per model.

`copier(Model)` reads the model's field types once and returns a function that copies an instance:
strings, numbers, dates and enums are shared (immutable), `list[str]` and `dict[str, str]` are copied
at C speed, nested lists, dicts and models field by field, and anything else (`Any`, ...) by
`copy.deepcopy`. A value is assumed to have its field's type (pydantic checked it on input; the
engine assigns only such values); what `model_copy(deep=True)` gives, several times faster.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from copy import deepcopy
from datetime import date
from enum import Enum
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
Copy = Callable[[Any], Any]
_ATOMS = (str, int, float, bool, date)  # immutable (a datetime is a date)
_set = object.__setattr__
_plans: dict[type[BaseModel], Copy] = {}


def _share(value: Any) -> Any:
    return value


def _plan(kind: Any) -> Copy:
    """How to copy a value of type `kind`."""
    origin, args = get_origin(kind), get_args(kind)
    if kind is type(None) or origin is Literal or (isinstance(kind, type) and issubclass(kind, _ATOMS + (Enum,))):
        return _share
    if origin in (Union, types.UnionType):
        plans = [_plan(a) for a in args if a is not type(None)]
        if len(plans) != 1:
            return _share if all(p is _share for p in plans) else deepcopy
        return plans[0] if plans[0] is _share else _optional(plans[0])
    if origin is dict and len(args) == 2:
        item = _plan(args[1])
        return dict.copy if item is _share else lambda d: {k: item(v) for k, v in d.items()}
    if origin is list and len(args) == 1:
        item = _plan(args[0])
        return list.copy if item is _share else lambda xs: [item(x) for x in xs]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return lambda m: copier(type(m))(m)  # planned at first use (models may nest themselves)
    return deepcopy


def _optional(plan: Copy) -> Copy:
    return lambda v: None if v is None else plan(v)


def copier(model: type[M]) -> Callable[[M], M]:
    """The function copying instances of `model` (see the module doc)."""
    if model not in _plans:
        fields = [(name, _plan(f.annotation)) for name, f in model.model_fields.items()]
        mutable = [(name, plan) for name, plan in fields if plan is not _share]

        def copy(m: Any) -> Any:
            if m.__pydantic_extra__ or m.__pydantic_private__:
                return deepcopy(m)
            values = m.__dict__.copy()
            for name, plan in mutable:
                values[name] = plan(values[name])
            new = object.__new__(model)
            _set(new, "__dict__", values)
            _set(new, "__pydantic_fields_set__", m.__pydantic_fields_set__.copy())
            _set(new, "__pydantic_extra__", None)
            _set(new, "__pydantic_private__", None)
            return new

        _plans[model] = copy
    return _plans[model]
