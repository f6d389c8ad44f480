"""The read-model tables share one MetaData; the PostgreSQL schema is applied per
connection (schema_translate_map), so the same tables live beside each ledger's events
(or in the reader's local cache, see projections.readside)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

METADATA = sa.MetaData()


class Label(sa.Text):
    """Text copied from the log into a read model: unbounded, and NUL-free on PostgreSQL.

    The log is the record and may hold values recorded before the boundary checks existed
    (over-long, or with a NUL byte, which PostgreSQL text refuses); a read model must take
    whatever the log holds, or one old event breaks every report for good. SQLite takes both
    as they are, so it pays nothing per value."""

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[object], object] | None:
        return storable if dialect.name == "postgresql" else None


def storable(value: object) -> object:
    """A value PostgreSQL text takes: a NUL byte becomes U+FFFD (shown, never silently dropped)."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def storable_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(storable(v) for v in row)


TRACKING = sa.Table(
    "rm_tracking",
    METADATA,
    sa.Column("application_name", sa.String(64), primary_key=True),
    sa.Column("notification_id", sa.BigInteger, primary_key=True),
)

# Fold snapshots (derived data, never trusted by `audit verify`): the models' rows after the
# first ``position`` events are copied in the database into a shadow table per model table
# (projections.store.shadow), so time travel starts from the nearest. ``max_decided``: the
# latest decision date among those events (a snapshot serves --as-of D only if no event it
# holds was decided after D).
SNAPSHOTS = sa.Table(
    "rm_snapshots",
    METADATA,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("max_decided", sa.String(10), nullable=False),
)

# What the rows describe (a local cache names the ledger it was built from).
META = sa.Table(
    "rm_meta",
    METADATA,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def fen(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False, default=0)


def day_index(table: sa.Table) -> sa.Table:
    """A sum table's day index: the same sums kept per decision day ("" for an event without
    one), so the table as of any date is one SQL sum over the days up to it, whatever order the
    log recorded the events in. Exact because the models only look up what was decided before
    (an award before its payments, voids and clawbacks; a project before its tranches, its
    reassignments and its end: the domain refuses the other order), so an event's sums do not
    depend on the date asked. The model adds to both (balances, budgets)."""
    keys = [sa.Column(c.name, c.type, primary_key=True) for c in table.primary_key.columns]
    values = [fen(c.name) for c in table.columns if not c.primary_key]
    return sa.Table(f"rm_days_{table.name[3:]}", table.metadata, *keys,
                    sa.Column("decided", sa.String(10), primary_key=True), *values,
                    info={"sums": True, "day_index_of": table})
