"""Per-process caches for the lookups every call makes (caller, module state, revenue-share rules).

Each entry lives at most ``LOOKUP_TTL_SECONDS``. A change made through this process forgets
the entries it affects at once (the function that writes calls `LookupCache.forget` or
`LookupCache.clear`); a change made by another process (a second worker, ``linli`` on the
command line) is seen once the entry expires. A short time to live was chosen over a version
column: checking a version would cost the query the cache exists to save, and the rows cached
here change seldom (a role granted, a module enabled, an override set, a token rotated).

A caller is cached only when found (an unknown token is looked up every time, so a member
added by another process can call at once); a module never enabled in a community and a
module without overrides are cached as such, since that is the usual case. Starting an engine
clears every cache, so a platform started on another database in the same process (tests)
never sees the previous one's rows.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["LOOKUP_TTL_SECONDS", "LookupCache", "clear_lookup_caches"]

LOOKUP_TTL_SECONDS = 2.0
"""How long another process's change may go unseen by this one."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_CACHES: weakref.WeakSet[LookupCache[object, object]] = weakref.WeakSet()


class LookupCache(Generic[K, V]):
    """A bounded map whose entries expire ``ttl`` seconds after they were stored."""

    def __init__(self, *, ttl: float = LOOKUP_TTL_SECONDS, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[K, tuple[float, V]] = {}
        _CACHES.add(self)  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        """The value stored under ``key`` if it has not expired, else ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: K, value: V) -> V:
        """Store ``value`` under ``key`` (the oldest entry goes when full); ``value``."""
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)), None)
        self._entries[key] = (time.monotonic() + self.ttl, value)
        return value

    def forget(self, key: K) -> None:
        """Drop ``key`` (its row changed in this process)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Drop every entry."""
        self._entries.clear()


def clear_lookup_caches() -> None:
    """Empty every lookup cache of this process (a database is being started)."""
    for cache in list(_CACHES):
        cache.clear()
