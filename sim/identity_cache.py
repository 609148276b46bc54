"""Values remembered by the identity of the objects they are built from.

A sweep point's validated scenario shares with its base every model the point does not
change (:func:`sim.jobs.sweep_worker.point_scenario` copies only what a path enters), so
"the same objects" means "the same inputs" for the parts of a compilation that read only
those objects: the preference arrays of a point that moves a fighting cost, the shifted
positions of a consultation. Pydantic models holding dicts cannot be hashed, and
hashing them by value would cost what the cache saves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class IdentityCache:
    """``build()`` remembered under the identities of ``inputs`` (and a hashable
    ``extra``), least recently used, at most ``size`` entries. An entry keeps its inputs
    alive, so their identities cannot be reused by other objects while it exists, and a
    hit is confirmed with ``is`` on every input."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
        _ALL.append(self)

    def get(self, inputs: tuple, extra: Hashable, build: Callable[[], Any]) -> Any:
        key = (tuple(map(id, inputs)), extra)
        hit = self._entries.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], inputs, strict=True)):
            self._entries.move_to_end(key)
            return hit[1]
        value = build()
        self._entries[key] = (inputs, value)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_ALL: list[IdentityCache] = []


def clear_identity_caches() -> None:
    """Empty every :class:`IdentityCache` of the process (a cold start)."""
    for cache in _ALL:
        cache.clear()
