"""A value derived from an object, cached per object identity.

Rule models are frozen pydantic objects: what the engine derives from them (compiled matches, a
rule's shape, its counting filter) is kept beside them rather than on them. The entry holds the
object, so its id cannot be reused by another object while the entry exists; the cache is emptied
when it grows past a bound, so a long process that loads many rule sets (what-if, test-rules) does
not keep them all alive.
"""

from __future__ import annotations

from typing import Any, Callable


class IdentityMemo:
    def __init__(self, derive: Callable[[Any], Any], limit: int = 4096):
        self._derive = derive
        self._limit = limit
        self._entries: dict[int, tuple] = {}

    def __call__(self, obj: Any) -> Any:
        hit = self._entries.get(id(obj))
        if hit is None or hit[0] is not obj:
            if len(self._entries) >= self._limit:
                self._entries.clear()
            hit = self._entries[id(obj)] = (obj, self._derive(obj))
        return hit[1]
