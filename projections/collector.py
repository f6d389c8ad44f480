"""The garbage collector's pace while a large answer is built or a long catch-up runs (a light
module: a current report read through the database driver uses it without projections.runner)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


def fewer_collections() -> contextlib.AbstractContextManager[None]:
    """The collector's young generation collected every 50,000 allocations while building a
    large answer (a report of 40,000 rows allocates a million objects, none in a cycle)."""
    return fewer_collections_if(True)


@contextlib.contextmanager
def fewer_collections_if(long: bool) -> Iterator[None]:
    """During a long catch-up the collector's young generation is collected every 50,000
    allocations instead of 700: each batch allocates hundreds of thousands of short-lived
    objects without cycles, and the frequent collections (which also walk the growing lookup
    registers) cost a sixth of a rebuild. The threshold is restored afterwards."""
    if not long:
        yield
        return
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
