"""Values computed once per definition object (a letter type, a field), kept while the object lives.

The catalogue's definitions are frozen once loaded, so what the engine derives from them (a field's
options, a letter type's rules by field) is the same at every message: `per_object` computes it at
first use and keeps it beside the object, by identity (the definitions are not hashable), until the
object is dropped. Pure: nothing is read or written but the cache itself.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sized
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def per_object(compute: Callable[[K], V]) -> Callable[[K], V]:
    """`compute(obj)`, computed once for each object (which must accept weak references); `cached_count(fn)`
    tells how many objects it holds a value for."""
    values: dict[int, V] = {}

    def cached(obj: K) -> V:
        try:
            return values[id(obj)]
        except KeyError:
            value = values[id(obj)] = compute(obj)
            weakref.finalize(obj, values.pop, id(obj), None)  # its id is reused only once obj is gone
            return value

    cached.__doc__, cached.__name__ = compute.__doc__, compute.__name__
    _caches[cached] = values
    return cached


_caches: weakref.WeakKeyDictionary[Callable[..., object], Sized] = weakref.WeakKeyDictionary()


def cached_count(fn: Callable[..., object]) -> int:
    return len(_caches[fn])
