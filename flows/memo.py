"""Values computed once per definition object (a letter type, a field), kept while the object lives.

The catalogue's definitions are frozen once loaded, so what the engine derives from them (a field's
options, a letter type's rules by field) is the same at every message: `per_object` computes it at
first use and keeps it beside the object, by identity (the definitions are not hashable), until the
object is dropped. Pure: nothing is read or written but the cache itself.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class PerObject(Generic[K, V]):
    """`compute(obj)`, computed once for each object (which must accept weak references)."""

    def __init__(self, compute: Callable[[K], V]):
        self.compute = compute
        self.__doc__ = compute.__doc__
        self._values: dict[int, V] = {}

    def __call__(self, obj: K) -> V:
        try:
            return self._values[id(obj)]
        except KeyError:
            value = self._values[id(obj)] = self.compute(obj)
            weakref.finalize(obj, self._values.pop, id(obj), None)  # its id is reused only once obj is gone
            return value

    def __len__(self) -> int:
        return len(self._values)


def per_object(compute: Callable[[K], V]) -> PerObject[K, V]:
    return PerObject(compute)
