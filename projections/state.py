"""Where read models are folded to: one interface, kept in memory or in SQL tables.

Every read model writes through :class:`State` only, so the incremental projection (SQL,
one event per transaction), the full rebuild and the auditor's ``--as-of`` /
``--at-position`` folds (in memory) all run the very same code.

Amounts are stored as integer fen: exact on SQLite and PostgreSQL alike (SQLite has no
decimal type, and money never touches float).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from projections.layout import Table, storable, storable_row

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
    """Integer fen to yuan with exactly two places (``scaleb`` moves the point: no division,
    no rounding; a report of 40,000 accounts converts 80,000 amounts)."""
    return Decimal(fen).scaleb(-2)


def key_columns(table: Table) -> tuple[str, ...]:
    return table.keys


def value_columns(table: Table) -> tuple[str, ...]:
    return table.values


_last_day: list[Any] = [None, ""]


def decision_day(event: Any) -> str:
    """The key of an event's sums in a day index: its decision date ("" without one).
    Remembered for the last event (a one-slot cache, as :func:`postings_of`): the trail,
    balances and budgets each ask for it."""
    if _last_day[0] is event:
        return str(_last_day[1])
    by = getattr(event, "by", None)
    decided = getattr(by, "decided", None)
    day = decided.isoformat() if decided is not None else ""
    _last_day[0], _last_day[1] = event, day
    return day


def day_index_of(table: Table) -> Table | None:
    """The table a day index sums per decision day (None: ``table`` is not a day index).
    A day index answers --as-of in SQL; it is never part of a report's rows."""
    found = table.info.get("day_index_of")
    return found if isinstance(found, Table) else None


def is_sum_table(table: Table) -> bool:
    """Tables of running totals (every non-key column is an additive fen amount)."""
    return bool(table.info.get("sums"))


class State(Protocol):
    def add(self, table: Table, key: Key, **fen: int) -> None:
        """Add amounts (fen) to a running-total row, creating it at zero."""

    def put(self, table: Table, key: Key, **fields: Any) -> None:
        """Insert or overwrite a record row."""

    def get(self, table: Table, key: Key) -> Row | None:
        """A row's non-key columns, or None."""


class MemoryState:
    """The fold target for rebuilds and time travel: plain dicts."""

    def __init__(self, tables: Iterable[Table]):
        self.tables = list(tables)
        self.rows: Rows = {t.name: {} for t in self.tables}

    def add(self, table: Table, key: Key, **fen: int) -> None:
        rows = self.rows[table.name]
        row = rows.get(key)
        if row is None:
            row = rows[key] = dict.fromkeys(value_columns(table), 0)
        for column, amount in fen.items():
            row[column] += amount

    def put(self, table: Table, key: Key, **fields: Any) -> None:
        rows = self.rows[table.name]
        row = rows.get(key) or dict.fromkeys(value_columns(table))
        row.update(fields)
        rows[key] = row

    def get(self, table: Table, key: Key) -> Row | None:
        return self.rows[table.name].get(key)


# a batch's rows for one table and column list, ready for executemany: (table name, its key
# columns, the columns after them, added to the rows there (sums) or written over them
# (records), the rows, the SQL types of the key columns and the others, the stamp column among
# them or "": layout.Table.stamp_changes)
Prepared = tuple[str, tuple[str, ...], tuple[str, ...], bool, list[tuple[Any, ...]], tuple[str, ...], str]

# a batch's pending changes by table name (BatchState.handed): sums, records
Handed = tuple[dict[str, dict[Key, dict[str, int]]], dict[str, dict[Key, Row]]]

# from this many rows a PostgreSQL upsert sends each column as one array (a single statement
# over unnest(...)) instead of one statement per row
ARRAYS_FROM = 50


def _types(table: Table, names: tuple[str, ...]) -> tuple[str, ...]:
    of = {c.name: c.type for c in table.columns}
    return tuple(of[n] for n in (*table.keys, *names))


class BatchState:
    """The fold target of a batched catch-up: changes pile up in memory and are written in
    one transaction by :meth:`flush` (sums as increments, records as upserts).

    Reads see committed rows plus the pending changes. The same batch is written through
    SQLAlchemy (projections.store) or straight through the database driver
    (projections.after_write): :meth:`flush` only needs something that executes a statement
    with many parameter tuples. Rows of the ``lookup`` tables (the
    registers other models look events up in) are kept across batches, so a rebuild does not
    query the database for each event; the projection is their only writer.
    """

    def __init__(self, read: Callable[[Table, Key], Row | None] | None, lookup: Iterable[Table] = (), *,
                 complete: bool = False):
        """``read``: a committed row's non-key columns, or None (the store's own connection).
        ``complete``: the kept lookup rows are all there is (a rebuild from empty tables, folded
        by a helper process that hands its rows to the writer instead of writing them, so it
        could not read its own last batch back), so a lookup never reads the database."""
        self.read = read
        self.complete = complete
        self.lookup = {t.name for t in lookup}
        self.known: dict[str, dict[Key, Row | None]] = {name: {} for name in self.lookup}
        self.sums: dict[Table, dict[Key, dict[str, int]]] = {}
        self.records: dict[Table, dict[Key, Row]] = {}

    @property
    def pending(self) -> bool:
        return bool(self.sums or self.records)

    def add(self, table: Table, key: Key, **fen: int) -> None:
        try:
            rows = self.sums[table]
        except KeyError:
            rows = self.sums[table] = {}
        row = rows.get(key)
        if row is None:
            rows[key] = fen  # a fresh dict per call: kept as it is
            return
        for column, amount in fen.items():
            if column in row:
                row[column] += amount
            else:
                row[column] = amount

    def put(self, table: Table, key: Key, **fields: Any) -> None:
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
        elif fields.keys() >= table.value_set:
            known[key] = dict(fields)
        elif self.complete:
            known[key] = dict.fromkeys(value_columns(table)) | fields
        else:
            known.pop(key, None)  # partly known: read it again from the database

    def get(self, table: Table, key: Key) -> Row | None:
        known = self.known.get(table.name)
        if known is not None and (self.complete or key in known):
            return known.get(key)  # as MemoryState.get: the models read rows, never change them
        if self.read is None:
            raise LookupError(f"{table.name} is not kept in memory and there is no database to read it from")
        row = self.read(table, key)
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

    def handed(self) -> Handed:
        """The pending changes by table name, as plain dicts another process can be handed
        (:meth:`adopt`), forgetting them."""
        out = ({t.name: rows for t, rows in self.sums.items()}, {t.name: rows for t, rows in self.records.items()})
        self.discard()
        return out

    def adopt(self, handed: Handed, tables: Mapping[str, Table]) -> None:
        """Make changes :meth:`handed` over by another process the pending ones (``tables``:
        every table by name); the next :meth:`flush` writes them."""
        sums, records = handed
        self.sums = {tables[name]: rows for name, rows in sums.items()}
        self.records = {tables[name]: rows for name, rows in records.items()}

    def prepared(self, position: int) -> list[Prepared]:
        """The pending changes as rows for executemany (plain tuples), forgetting them; a
        stamped table's rows (layout.Table.stamp_changes) end with ``position``, the batch's
        last event's, in its stamp column (the last of the columns; set, never added)."""
        out: list[Prepared] = []
        for table, rows in self.sums.items():
            values = value_columns(table)
            zeros = (0,) * len(values)
            if table.stamp:
                out.append((table.name, key_columns(table), (*values, table.stamp), True,
                            [(*k, *map(delta.get, values, zeros), position) for k, delta in rows.items()],
                            _types(table, (*values, table.stamp)), table.stamp))
            else:
                out.append((table.name, key_columns(table), values, True,
                            [(*k, *map(delta.get, values, zeros)) for k, delta in rows.items()], _types(table, values),
                            ""))
        for table, rows in self.records.items():
            by_fields: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            stamped = (position,) if table.stamp else ()
            for k, fields in rows.items():
                names = tuple(fields)  # the order the model wrote them in: one group per call site
                batch = by_fields.get(names)
                if batch is None:
                    batch = by_fields[names] = []
                batch.append((*k, *fields.values(), *stamped))
            out.extend((table.name, key_columns(table), (*names, table.stamp) if stamped else names, False, batch,
                        _types(table, (*names, table.stamp) if stamped else names), table.stamp)
                       for names, batch in by_fields.items())
        self.discard()
        return out

    def flush(self, execute: Callable[[str, list[tuple[Any, ...]]], Any], dialect: str, schema: str = "", *,
              position: int) -> None:
        """Write every pending change (its own, or those :meth:`adopt`-ed from a rebuild's
        helper process) with ``execute(statement, parameter tuples)`` in the caller's transaction
        (``dialect``: sqlite or postgresql; ``schema``: PostgreSQL's; ``position``: the batch's
        last event's): one prepared upsert per table and column set, executed with plain
        parameter tuples (the statement building of SQLAlchemy per row was most of a rebuild's time)."""
        for name, keys, columns, add, rows, types, stamp in self.prepared(position):
            if dialect != "postgresql":
                execute(_upsert_text(dialect, schema, name, keys, columns, add, stamp=stamp), rows)
                continue
            # PostgreSQL text refuses NUL, which a log recorded before the field checks may hold
            clean = [storable_row(r) for r in rows]
            if len(rows) >= ARRAYS_FROM and clean == rows:  # (a cleaned key could repeat another)
                execute(_upsert_text(dialect, schema, name, keys, columns, add, types, stamp=stamp),
                        [tuple(list(column) for column in zip(*rows, strict=True))])
            else:
                execute(_upsert_text(dialect, schema, name, keys, columns, add, stamp=stamp), clean)

    def discard(self) -> None:
        """Forget the pending changes (after a flush, or a rolled-back one)."""
        self.sums, self.records = {}, {}

    def forget(self) -> None:
        """Forget everything, the kept lookup rows too (the tables changed under us)."""
        self.discard()
        self.known = {name: {} for name in self.lookup}


@functools.cache
def _upsert_text(dialect: str, schema: str, table: str, keys: tuple[str, ...], columns: tuple[str, ...],
                 add: bool, arrays: tuple[str, ...] = (), *, stamp: str = "") -> str:
    """The upsert of one row per parameter tuple, or with ``arrays`` (the columns' SQL types,
    PostgreSQL) of all rows at once: one parameter per column, an array of its values.
    ``stamp``: a column among ``columns`` that is written over, never added to."""
    mark = "?" if dialect == "sqlite" else "%s"
    name = _name(schema, table)
    cols = ", ".join(f'"{c}"' for c in (*keys, *columns))
    if arrays:
        source = "SELECT * FROM unnest(" + ", ".join(f"{mark}::{t}[]" for t in arrays) + ")"
    else:
        source = "VALUES (" + ", ".join([mark] * (len(keys) + len(columns))) + ")"
    if add:
        sets = ", ".join(f'"{c}" = excluded."{c}"' if c == stamp else f'"{c}" = "{table}"."{c}" + excluded."{c}"'
                         for c in columns)
    else:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns)
    conflict = ", ".join(f'"{k}"' for k in keys)
    action = f"DO UPDATE SET {sets}" if columns else "DO NOTHING"
    return f"INSERT INTO {name} ({cols}) {source} ON CONFLICT ({conflict}) {action}"


def _name(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"' if schema else f'"{table}"'


@functools.cache
def tracking_text(dialect: str, schema: str) -> str:
    """The tracking rows' INSERT, executed with plain tuples (a rebuild inserts one per event)."""
    mark = "?" if dialect == "sqlite" else "%s"
    return (f'INSERT INTO {_name(schema, "rm_tracking")} ("application_name", "notification_id") '
            f"VALUES ({mark}, {mark})")


@functools.cache
def select_text(dialect: str, schema: str, table: Table) -> str:
    """One row's non-key columns by its key, as plain SQL (projections.after_write)."""
    mark = "?" if dialect == "sqlite" else "%s"
    columns = ", ".join(f'"{v}"' for v in table.values)
    where = " AND ".join(f'"{k}" = {mark}' for k in table.keys)
    return f"SELECT {columns} FROM {_name(schema, table.name)} WHERE {where}"


def clean_key(dialect: str, key: Key) -> Key:
    """A key as the database stores it (NUL-free text on PostgreSQL, as projections.schema.Label binds it)."""
    return tuple(storable(v) for v in key) if dialect == "postgresql" else key
