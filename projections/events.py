"""Events named by their class, ``"Loan.Enrolled"``, so a read model recognises an event without
importing the aggregate that declares it: applying an award's events creates no loan, project
or fund class (their event classes cost start-up time; `bench/startup.py`).

Every name a read model uses is declared with :func:`named`; tests/test_projections.py checks
each is the qualified name of a real event class, so a typo cannot silently match nothing.
"""

from __future__ import annotations

import sys
from typing import Any

NAMES: set[str] = set()
# the names each module declared (projections.models applies a model only to the events it names)
DECLARED: dict[str, set[str]] = {}


def named(*names: str) -> frozenset[str]:
    """Declare event names a read model matches (``Aggregate.Event``)."""
    _declare(sys._getframe(1).f_globals.get("__name__", ""), names)
    return frozenset(names)


def event(qualname: str) -> str:
    """Declare one event name a read model matches (``Loan.Enrolled``)."""
    _declare(sys._getframe(1).f_globals.get("__name__", ""), (qualname,))
    return qualname


def _declare(module: str, names: tuple[str, ...]) -> None:
    NAMES.update(names)
    DECLARED.setdefault(module, set()).update(names)


def name(event: Any) -> str:
    """The event's class name as declared on its aggregate (``Enterprise.AwardGranted``)."""
    return type(event).__qualname__
