"""The read-model tables described without SQLAlchemy: each table's name, its columns (key or
not, SQL type) and what it holds (``info``: running sums, the table a day index sums).

The models fold through these descriptions alone (:class:`projections.state.State`), so the
after-write update of a command (projections.after_write) neither imports SQLAlchemy nor builds
its tables: that was half of an award's start-up (bench/startup.py, docs/decisions.md). The
SQLAlchemy table of each description (DDL, reports, rebuilds, snapshots) is made by
projections.schema when it is imported, and reached as ``table.sql`` (``table.c`` for its
columns; ``sa.select(table)`` takes the description itself).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# SQL types, written as SQLAlchemy's default compiler writes them (the models' shape hash
# names them so: projections.models.SHAPE, the same value SQLAlchemy's tables give)
TEXT = "TEXT"  # text copied from the log: unbounded, NUL-free on PostgreSQL (projections.schema.Label)
BIGINT = "BIGINT"
INTEGER = "INTEGER"
BOOLEAN = "BOOLEAN"
DAY = "VARCHAR(10)"  # an ISO date, the key of a day index
CHANGED_AT = "changed_at"  # Table.stamp_changes


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    key: bool = False  # part of the primary key
    fen: bool = False  # an additive amount (or count): never NULL, 0 by default
    stamp: bool = False  # the position of the row's last change (Table.stamp_changes): not a model's value


def key(name: str, type: str = TEXT) -> Column:
    return Column(name, type, key=True)


def fen(name: str) -> Column:
    return Column(name, BIGINT, fen=True)


class Table:
    """A read-model table: compared by identity, as SQLAlchemy's are."""

    def __init__(self, name: str, *columns: Column, info: dict[str, Any] | None = None):
        self.name = name
        self.columns = columns
        self.info = dict(info or {})
        self.keys = tuple(c.name for c in columns if c.key)
        self.values = tuple(c.name for c in columns if not c.key and not c.stamp)
        self.value_set = frozenset(self.values)
        self.booleans = frozenset(c.name for c in columns if c.type == BOOLEAN)
        self.stamp = ""  # the column holding the position of each row's last change, if kept
        self._sql: Any = None

    def stamp_changes(self) -> None:
        """Keep, in each row, the position of the last event that changed it (``changed_at``;
        every writer sets it, no model sees it): a fold snapshot then copies only the rows
        changed since the one before (projections.store.save_snapshot). Before the SQL table is made."""
        if self._sql is not None:
            raise RuntimeError(f"{self.name}: its SQL table is made already")
        if not self.stamp:
            self.columns = (*self.columns, Column(CHANGED_AT, BIGINT, stamp=True))
            self.stamp = CHANGED_AT

    def __repr__(self) -> str:
        return f"Table({self.name!r})"

    @property
    def sql(self) -> Any:
        """The SQLAlchemy table (made by projections.schema, which the SQL paths import)."""
        if self._sql is None:
            raise LookupError(f"{self.name}: the SQL tables are made by projections.schema; import it first")
        return self._sql

    @property
    def c(self) -> Any:
        return self.sql.c

    def __clause_element__(self) -> Any:
        """Lets SQLAlchemy take the description where it takes a table (``sa.select(table)``)."""
        return self.sql


def day_index(table: Table) -> Table:
    """A sum table's day index: the same sums kept per decision day ("" for an event without
    one), so the table as of any date is one SQL sum over the days up to it, whatever order the
    log recorded the events in. Exact because the models only look up what was decided before
    (an award before its payments, voids and clawbacks; a project before its tranches, its
    reassignments and its end: the domain refuses the other order), so an event's sums do not
    depend on the date asked. The model adds to both (balances, budgets)."""
    keys = [Column(c.name, c.type, key=True) for c in table.columns if c.key]
    values = [fen(c.name) for c in table.columns if not c.key and not c.stamp]
    return Table(f"rm_days_{table.name[3:]}", *keys, key("decided", DAY), *values,
                 info={"sums": True, "day_index_of": table})


_SHADOWS: dict[str, Table] = {}


def shadow(table: Table) -> Table:
    """The snapshot copy of a model table: its columns, keyed by the snapshot's position too."""
    name = f"rm_snap_{table.name[3:]}"
    if name not in _SHADOWS:
        _SHADOWS[name] = Table(name, key("snapshot", BIGINT),
                               *(Column(c.name, c.type, key=c.key, fen=c.fen) for c in table.columns if not c.stamp))
    return _SHADOWS[name]


# the bookkeeping beside the models: tracking positions, fold snapshots, facts about the tables
TRACKING = Table("rm_tracking", key("application_name", "VARCHAR(64)"), key("notification_id", BIGINT))
# Fold snapshots (derived data, never trusted by `audit verify`): the models' rows after the
# first ``position`` events are copied in the database into a shadow table per model table
# (:func:`shadow`), so time travel starts from the nearest. ``max_decided``: the latest
# decision date among those events (a snapshot serves --as-of D only if no event it holds was
# decided after D).
SNAPSHOTS = Table("rm_snapshots", key("position", BIGINT), Column("max_decided", DAY))
# What the rows describe (their shape; a local cache names the ledger it was built from).
META = Table("rm_meta", key("key", "VARCHAR(40)"), Column("value", TEXT))
BOOKKEEPING = (TRACKING, SNAPSHOTS, META)


def shape(tables: Iterable[Table]) -> str:
    """A hash of every table's name and columns with their types: a model that changed is
    noticed with one query (rm_meta's "shape")."""
    return hashlib.sha256(repr(sorted((t.name, tuple((c.name, c.type) for c in t.columns))
                                      for t in tables)).encode()).hexdigest()


def storable(value: object) -> object:
    """A value PostgreSQL text takes: a NUL byte becomes U+FFFD (shown, never silently dropped)."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def storable_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(storable(v) for v in row)
