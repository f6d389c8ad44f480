"""The read models, in the order they are applied to each event."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from domain.journal import postings
from projections import balances, budgets, caps, captable, funds, loans, parties, payments, recipients, trail
from projections.events import DECLARED
from projections.layout import BOOKKEEPING, Table, shadow, shape
from projections.state import MemoryState, State, day_index_of

# recipients before the others: it registers each award's (and project's) year, clause and
# source, which later events of recipients and budgets look up.
MODELS: tuple[ModuleType, ...] = (trail, balances, recipients, caps, budgets, funds, loans, captable, parties, payments)

TABLES: tuple[Table, ...] = tuple(t for m in MODELS for t in m.TABLES)

# registers that later events are looked up in (State.get): a batched catch-up keeps them in memory
LOOKUP_TABLES: tuple[Table, ...] = (recipients.AWARDS, trail.ENTITIES, captable.NAMES)


# what each report needs: an as-of fold runs only these (the trail is the costliest model)
FOR_REPORT: dict[str, tuple[ModuleType, ...]] = {
    "balances": (balances,), "recipients": (recipients,), "caps": (recipients, caps), "budgets": (recipients, budgets),
    "funds": (funds, captable), "captable": (captable,), "loans": (loans,), "trail": (trail,),
    "parties": (parties,), "payments": (payments,),
}


# what fold snapshots keep: every model but the trail (queried in SQL, never folded for time travel)
SNAPSHOT_MODELS: tuple[ModuleType, ...] = tuple(m for m in MODELS if m is not trail)


# the tables a report reads, where fewer than its models' (the awards register is only looked up).
# Day-indexed (as-of in SQL): balances and budgets; recipients and caps fold from snapshots (their
# day indexes cost a quarter more rebuild time for a report asked less often in the past)
ANSWERS: dict[str, tuple[Table, ...]] = {
    "recipients": (recipients.RECIPIENTS,), "caps": (caps.CAP_USAGE, caps.CAP_AWARDS), "budgets": (budgets.BUDGETS,),
}


def report_tables(report: str) -> tuple[Table, ...]:
    """The tables whose rows answer ``report`` (day indexes aside: they only answer --as-of)."""
    if report in ANSWERS:
        return ANSWERS[report]
    return tuple(t for m in FOR_REPORT[report] for t in m.TABLES if day_index_of(t) is None)


def day_indexes(report: str) -> dict[Table, Table] | None:
    """Each of ``report``'s tables with its day index, when every one has one: the report's
    rows as of a date are then SQL sums over the days up to it."""
    found = {day_index_of(t): t for m in FOR_REPORT[report] for t in m.TABLES if day_index_of(t) is not None}
    tables = report_tables(report)
    if not tables or any(t not in found for t in tables):
        return None
    return {t: found[t] for t in tables}


def snapshot_tables(model: ModuleType) -> tuple[Table, ...]:
    """A model's tables a fold snapshot copies (day indexes aside: never folded)."""
    return tuple(t for t in model.TABLES if day_index_of(t) is None)


# a snapshot copies only the rows changed since the one before: its tables keep the position of each row's last change
for _model in SNAPSHOT_MODELS:
    for _table in snapshot_tables(_model):
        _table.stamp_changes()


def name_of(model: ModuleType) -> str:
    return model.__name__.rsplit(".", 1)[-1]


def apply(state: State, position: int, event: Any, only: tuple[ModuleType, ...] = MODELS) -> None:
    """Fold one event into every read model (unknown event types change nothing but the trail):
    into those of ``only`` that do something with its class (:func:`appliers`)."""
    key = (type(event), only)
    found = _APPLIERS.get(key)
    if found is None:
        found = _APPLIERS[key] = appliers(type(event), only)
    for model_apply in found:
        model_apply(state, position, event)


_APPLIERS: dict[tuple[type, tuple[ModuleType, ...]], tuple[Callable[[State, int, Any], None], ...]] = {}


def appliers(cls: type, only: tuple[ModuleType, ...] = MODELS) -> tuple[Callable[[State, int, Any], None], ...]:
    """The ``apply`` of each model of ``only`` that does something with an event of class ``cls``,
    in order: the trail every one; balances those that post to the journal; any other model
    the events it names (projections.events: a model matches events by the names it declares),
    or every event if it declares none. Each model skips the other events itself: this only
    spares the calls (ten per event, most of them to do nothing)."""
    return tuple(m.apply for m in only if _wants(m, cls))


def _wants(model: ModuleType, cls: type) -> bool:
    if model is trail:
        return True
    if model is balances:
        return bool(postings.dispatch(cls) is not postings.dispatch(object))
    declared = DECLARED.get(model.__name__)
    return declared is None or cls.__qualname__ in declared


def empty_state() -> MemoryState:
    return MemoryState(TABLES)


# the models' shape: every table and column (the bookkeeping and snapshot copies too), so a
# changed model is noticed at once (rm_meta "shape"; tests/test_projections.py checks it is
# what the SQLAlchemy tables of projections.schema give)
SHAPE = shape([*BOOKKEEPING, *TABLES, *(shadow(t) for m in SNAPSHOT_MODELS for t in snapshot_tables(m))])
