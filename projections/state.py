"""Where read models are folded to: one interface, kept in memory or in SQL tables.

Every read model writes through :class:`State` only, so the incremental projection (SQL,
one event per transaction), the full rebuild and the auditor's ``--as-of`` /
``--at-position`` folds (in memory) all run the very same code.

Amounts are stored as integer fen: exact on SQLite and PostgreSQL alike (SQLite has no
decimal type, and money never touches float).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa

from domain.money import FEN
from projections.schema import METADATA, storable_row

Key = tuple[Any, ...]
Row = dict[str, Any]
Rows = dict[str, dict[Key, Row]]  # table name -> key -> non-key columns

# the Rows entry of totals the database summed: (table name,) -> {total: fen}; a report
# without it (a fold's rows) sums its rows itself
TOTALS = "totals"


_last_postings: list[Any] = [None, ()]


def postings_of(event: Any) -> Any:
    """The event's journal postings, computed once per event although two models read them
    (balances and the trail): a one-slot cache, the models see events one at a time."""
    if _last_postings[0] is not event:
        from domain.journal import postings

        _last_postings[1] = postings(event)
        _last_postings[0] = event
    return _last_postings[1]


_last_fen: list[Any] = [None, 0]


def to_fen(amount: Decimal) -> int:
    """Exact yuan (2 places) to integer fen; refuses anything finer. The last amount converted
    is remembered (by identity): most models read the same amount of the same event."""
    if amount is _last_fen[0]:
        return int(_last_fen[1])  # an int already: the list holds Any
    fen = amount * 100
    whole = int(fen)
    if whole != fen:
        raise ValueError(f"amount {amount} is not exact to the fen")
    _last_fen[0], _last_fen[1] = amount, whole
    return whole


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


@functools.cache
def key_columns(table: sa.Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


@functools.cache
def value_columns(table: sa.Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if not c.primary_key)


@functools.cache
def value_set(table: sa.Table) -> frozenset[str]:
    return frozenset(value_columns(table))


def decision_day(event: Any) -> str:
    """The key of an event's sums in a day index: its decision date ("" without one)."""
    by = getattr(event, "by", None)
    decided = getattr(by, "decided", None)
    return decided.isoformat() if decided is not None else ""


def day_index_of(table: sa.Table) -> sa.Table | None:
    """The table a day index sums per decision day (None: ``table`` is not a day index).
    A day index answers --as-of in SQL; it is never part of a report's rows."""
    found = table.info.get("day_index_of")
    return found if isinstance(found, sa.Table) else None


def is_sum_table(table: sa.Table) -> bool:
    """Tables of running totals (every non-key column is an additive fen amount)."""
    return bool(table.info.get("sums"))


class State(Protocol):
    def add(self, table: sa.Table, key: Key, **fen: int) -> None:
        """Add amounts (fen) to a running-total row, creating it at zero."""

    def put(self, table: sa.Table, key: Key, **fields: Any) -> None:
        """Insert or overwrite a record row."""

    def get(self, table: sa.Table, key: Key) -> Row | None:
        """A row's non-key columns, or None."""


class MemoryState:
    """The fold target for rebuilds and time travel: plain dicts."""

    def __init__(self, tables: Iterable[sa.Table]):
        self.tables = list(tables)
        self.rows: Rows = {t.name: {} for t in self.tables}

    def add(self, table: sa.Table, key: Key, **fen: int) -> None:
        rows = self.rows[table.name]
        row = rows.get(key)
        if row is None:
            row = rows[key] = dict.fromkeys(value_columns(table), 0)
        for column, amount in fen.items():
            row[column] += amount

    def put(self, table: sa.Table, key: Key, **fields: Any) -> None:
        rows = self.rows[table.name]
        row = rows.get(key) or dict.fromkeys(value_columns(table))
        row.update(fields)
        rows[key] = row

    def get(self, table: sa.Table, key: Key) -> Row | None:
        return self.rows[table.name].get(key)


class SqlState:
    """The fold target of the incremental projection: statements on one open transaction."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        dialect = connection.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover
            raise ValueError(f"unsupported database {dialect}")
        self._insert = insert

    def add(self, table: sa.Table, key: Key, **fen: int) -> None:
        keys = key_columns(table)
        values = dict(zip(keys, key, strict=True))
        values.update(dict.fromkeys(value_columns(table), 0))
        values.update(fen)
        stmt = self._insert(table).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c: table.c[c] + stmt.excluded[c] for c in fen},
        )
        self.connection.execute(stmt)

    def put(self, table: sa.Table, key: Key, **fields: Any) -> None:
        keys = key_columns(table)
        values = dict(zip(keys, key, strict=True)) | fields
        stmt = self._insert(table).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in fields})
        self.connection.execute(stmt)

    def get(self, table: sa.Table, key: Key) -> Row | None:
        keys = key_columns(table)
        cond = sa.and_(*(table.c[k] == v for k, v in zip(keys, key, strict=True)))
        row = self.connection.execute(sa.select(table).where(cond)).mappings().first()
        if row is None:
            return None
        return {c: row[c] for c in value_columns(table)}


# a batch's rows for one table and column list, ready for executemany: (table name, the
# columns after the key, added to the rows there (sums) or written over them (records), rows)
Prepared = tuple[str, tuple[str, ...], bool, list[tuple[Any, ...]]]


class BatchState:
    """The fold target of a batched catch-up: changes pile up in memory and are written in
    one transaction by :meth:`flush` (sums as increments, records as upserts).

    Reads see committed rows plus the pending changes. Rows of the ``lookup`` tables (the
    registers other models look events up in) are kept across batches, so a rebuild does not
    query the database for each event; the projection is their only writer.

    ``complete``: the kept lookup rows are all there is (a rebuild from empty tables, folded
    by a helper process that hands its rows to the writer instead of writing them: it could
    not see its own last batch in the database yet), so a lookup never queries the database.
    """

    def __init__(self, engine: sa.Engine | None, lookup: Iterable[sa.Table] = (), *, complete: bool = False):
        self.engine = engine
        self.complete = complete
        self.lookup = {t.name for t in lookup}
        self.known: dict[str, dict[Key, Row | None]] = {name: {} for name in self.lookup}
        self.sums: dict[sa.Table, dict[Key, dict[str, int]]] = {}
        self.records: dict[sa.Table, dict[Key, Row]] = {}

    @property
    def pending(self) -> bool:
        return bool(self.sums or self.records)

    def add(self, table: sa.Table, key: Key, **fen: int) -> None:
        rows = self.sums.get(table)
        if rows is None:
            rows = self.sums[table] = {}
        row = rows.get(key)
        if row is None:
            rows[key] = fen  # a fresh dict per call: kept as it is
            return
        for column, amount in fen.items():
            row[column] = row.get(column, 0) + amount

    def put(self, table: sa.Table, key: Key, **fields: Any) -> None:
        rows = self.records.get(table)
        if rows is None:
            rows = self.records[table] = {}
        pending = rows.get(key)
        if pending is None:
            rows[key] = fields  # a fresh dict per call: kept as it is (its order is the column order written)
        else:
            pending.update(fields)
        known = self.known.get(table.name)
        if known is None:
            return
        row = known.get(key)
        if row is not None:
            row.update(fields)
        elif fields.keys() >= value_set(table):
            known[key] = dict(fields)
        elif self.complete:
            known[key] = dict.fromkeys(value_columns(table)) | fields
        else:
            known.pop(key, None)  # partly known: read it again from the database

    def get(self, table: sa.Table, key: Key) -> Row | None:
        known = self.known.get(table.name)
        if known is not None and (self.complete or key in known):
            return known.get(key)  # as MemoryState.get: the models read rows, never change them
        if self.engine is None:
            raise LookupError(f"{table.name} is not kept in memory and there is no database to read it from")
        with self.engine.connect() as conn:
            row = SqlState(conn).get(table, key)
        pending_sum = self.sums.get(table, {}).get(key)
        if pending_sum:
            row = row or dict.fromkeys(value_columns(table), 0)
            for column, amount in pending_sum.items():
                row[column] += amount
        pending_record = self.records.get(table, {}).get(key)
        if pending_record:
            row = (row or dict.fromkeys(value_columns(table))) | pending_record
        if known is not None:
            known[key] = None if row is None else dict(row)
        return row

    def prepared(self) -> list[Prepared]:
        """The pending changes as rows for executemany (plain tuples: they can be handed to
        another process), forgetting them."""
        out: list[Prepared] = []
        for table, rows in self.sums.items():
            values = value_columns(table)
            zeros = (0,) * len(values)
            out.append((table.name, values, True, [(*k, *map(delta.get, values, zeros)) for k, delta in rows.items()]))
        for table, rows in self.records.items():
            by_fields: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for k, fields in rows.items():
                names = tuple(fields)  # the order the model wrote them in: one group per call site
                batch = by_fields.get(names)
                if batch is None:
                    batch = by_fields[names] = []
                batch.append((*k, *fields.values()))
            out.extend((table.name, names, False, batch) for names, batch in by_fields.items())
        self.discard()
        return out

    def flush(self, connection: sa.Connection, more: Iterable[Prepared] = ()) -> None:
        """Write every pending change, and ``more`` prepared elsewhere, on ``connection`` (the
        caller's transaction): one prepared upsert per table and column set, executed with
        plain parameter tuples (the statement building of SQLAlchemy per row was most of a
        rebuild's time)."""
        # PostgreSQL text refuses NUL, which a log recorded before the field checks may hold
        clean = connection.dialect.name == "postgresql"
        for name, columns, add, rows in (*self.prepared(), *more):
            table = METADATA.tables[name]
            sql = _upsert_sql(connection, table, key_columns(table), columns, add=add)
            connection.exec_driver_sql(sql, [storable_row(r) for r in rows] if clean else rows)

    def discard(self) -> None:
        """Forget the pending changes (after a flush, or a rolled-back one)."""
        self.sums, self.records = {}, {}

    def forget(self) -> None:
        """Forget everything, the kept lookup rows too (the tables changed under us)."""
        self.discard()
        self.known = {name: {} for name in self.lookup}


@functools.cache
def _upsert_text(dialect: str, schema: str, table: str, keys: tuple[str, ...], columns: tuple[str, ...],
                 add: bool) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    name = f'"{schema}"."{table}"' if schema else f'"{table}"'
    cols = ", ".join(f'"{c}"' for c in (*keys, *columns))
    marks = ", ".join([mark] * (len(keys) + len(columns)))
    if add:
        sets = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in columns)
    else:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns)
    conflict = ", ".join(f'"{k}"' for k in keys)
    action = f"DO UPDATE SET {sets}" if columns else "DO NOTHING"
    return f"INSERT INTO {name} ({cols}) VALUES ({marks}) ON CONFLICT ({conflict}) {action}"


def _upsert_sql(connection: sa.Connection, table: sa.Table, keys: tuple[str, ...], columns: tuple[str, ...],
                add: bool) -> str:
    schema = (connection.get_execution_options().get("schema_translate_map") or {}).get(None) or ""
    return _upsert_text(connection.dialect.name, schema, table.name, tuple(keys), tuple(columns), add)
