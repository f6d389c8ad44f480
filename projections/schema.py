"""The read-model tables in SQLAlchemy, made from their descriptions (projections.layout) when
this module is imported; they share one MetaData. The PostgreSQL schema is applied per
connection (schema_translate_map), so the same tables live beside each ledger's events (or in
the reader's local cache, see projections.readside)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from projections import layout, models
from projections.layout import storable, storable_row

METADATA = sa.MetaData()

__all__ = ["META", "METADATA", "SNAPSHOTS", "TRACKING", "Label", "sql", "storable", "storable_row"]


class Label(sa.Text):
    """Text copied from the log into a read model: unbounded, and NUL-free on PostgreSQL.

    The log is the record and may hold values recorded before the boundary checks existed
    (over-long, or with a NUL byte, which PostgreSQL text refuses); a read model must take
    whatever the log holds, or one old event breaks every report for good. SQLite takes both
    as they are, so it pays nothing per value."""

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[object], object] | None:
        return storable if dialect.name == "postgresql" else None


TYPES: dict[str, Callable[[], sa.types.TypeEngine[object]]] = {
    layout.TEXT: Label, layout.BIGINT: sa.BigInteger, layout.INTEGER: sa.Integer, layout.BOOLEAN: sa.Boolean,
    layout.DAY: lambda: sa.String(10),
}


def sql(table: layout.Table) -> sa.Table:
    """The SQLAlchemy table of a read-model description (made once, kept on it)."""
    if table._sql is None:
        table._sql = sa.Table(table.name, METADATA, *(
            sa.Column(c.name, TYPES[c.type](), primary_key=True) if c.key
            else sa.Column(c.name, TYPES[c.type](), nullable=False, default=0) if c.fen or c.stamp
            else sa.Column(c.name, TYPES[c.type]()) for c in table.columns))
    made: sa.Table = table._sql
    return made


TRACKING = sa.Table(
    "rm_tracking",
    METADATA,
    sa.Column("application_name", sa.String(64), primary_key=True),
    sa.Column("notification_id", sa.BigInteger, primary_key=True),
)
SNAPSHOTS = sa.Table(  # projections.layout.SNAPSHOTS
    "rm_snapshots",
    METADATA,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("max_decided", sa.String(10), nullable=False),
)
META = sa.Table(  # projections.layout.META
    "rm_meta",
    METADATA,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

for _table in models.TABLES:
    sql(_table)
for _model in models.SNAPSHOT_MODELS:
    for _table in models.snapshot_tables(_model):
        sql(layout.shadow(_table))
