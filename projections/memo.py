"""A value made once per key, kept in a bounded dict (cleared when full): a catch-up meets the
same aggregate ids again and again, and making each (a UUID from its text, its text from the
UUID) cost a rebuild about a microsecond per event."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def kept(make: Callable[[K], V], limit: int = 65_536) -> Callable[[K], V]:
    """``make`` remembered for up to ``limit`` keys (its values must be immutable: they are shared)."""
    made: dict[K, V] = {}

    def get(key: K) -> V:
        found = made.get(key)
        if found is None:
            if len(made) >= limit:
                made.clear()
            found = made[key] = make(key)
        return found

    return get
