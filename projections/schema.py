"""The read-model tables share one MetaData; the PostgreSQL schema is applied per
connection (schema_translate_map), so the same tables live beside each ledger's events."""

from __future__ import annotations

import sqlalchemy as sa

METADATA = sa.MetaData()

TRACKING = sa.Table(
    "rm_tracking",
    METADATA,
    sa.Column("application_name", sa.String(64), primary_key=True),
    sa.Column("notification_id", sa.BigInteger, primary_key=True),
)


def fen(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False, default=0)
