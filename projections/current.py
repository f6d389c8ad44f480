"""The SQL a report's rows are read with, and current reports read straight through the driver.

:class:`Reader` writes every report read as plain SQL text (the rows of the report's tables,
narrowed and ordered in the database; a sum table as of a date from its day index; the totals
the database sums) and runs it on whatever connection it is given: the read side's SQLAlchemy
connection (projections.readside, projections.runner) or a bare DBAPI one. One set of queries,
so both ways give the same rows.

:func:`report_rows` is the bare way, for a command that only reads: when the read models in the
ledger's own database are current (their shape is this code's, their tracking position is the
log's head, read in one read-only transaction with the rows), it answers a current report, or
one as of a date that day indexes answer, with a few statements on one sqlite3 or psycopg
connection. SQLAlchemy, the eventsourcing application and the aggregates are not imported: they
were most of a `jcg report balances` (docs/decisions.md, "The read side measured"). Anything else
(models behind or of another shape, $JCG_CACHE, a position, dates between, filters as of a
date, any driver error) returns None and the read side answers as before (it catches up, or
reads a local cache). A read-only copy whose models are current is read here too: its own
tables are then the answer the cache would be built to give.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from urllib.parse import quote

from ledger.infra.cipher import cipher_env
from ledger.infra.config import LEDGER_NAME, Database, parse_database, postgres_connection, read_only_uri
from projections import balances, models
from projections.filters import FILTER_COLUMNS, FOLLOWS, Filters, check
from projections.layout import META, TRACKING, Table, storable
from projections.state import TOTALS, Rows

Run = Callable[[str, tuple[Any, ...]], list[Any]]  # SQL text and its parameters -> the rows found

# reports whose totals the database sums: report -> (table, column, total -> SQL of one row's part)
TOTALS_SQL: dict[str, tuple[Table, str, dict[str, str]]] = {
    "balances": (balances.BALANCES, "balance_fen", balances.TOTALS)}


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def keyed(found: list[Any], n: int, values: tuple[str, ...]) -> dict[Any, dict[str, Any]]:
    """Rows fetched in one call (not one driver call per row) as key tuple -> value columns;
    plain tuples, not mappings: a mapping per row cost more than the query."""
    if n == 1 and len(values) == 1:  # the trial balance: account -> balance
        name = values[0]
        return {(r[0],): {name: r[1]} for r in found}
    return {tuple(r[:n]): dict(zip(values, r[n:], strict=True)) for r in found}


class Reader:
    """A report's reads as SQL text for one database (``dialect``: sqlite or postgresql; the
    PostgreSQL ``schema`` the tables live in), run by ``run``."""

    def __init__(self, run: Run, dialect: str, schema: str = ""):
        self.run = run
        self.dialect = dialect
        self.schema = schema
        self.mark = "?" if dialect == "sqlite" else "%s"

    @classmethod
    def over(cls, conn: Any, schema: str = "") -> Reader:
        """On a SQLAlchemy connection (the driver's own SQL, the same text as a bare connection runs)."""
        return cls(lambda sql, params: list(conn.exec_driver_sql(sql, params).all()), conn.dialect.name, schema)

    def name(self, table: Table | str) -> str:
        name = table if isinstance(table, str) else table.name
        return f'"{self.schema}"."{name}"' if self.schema else f'"{name}"'

    def _param(self, value: Any) -> Any:
        """A value bound as projections.schema.Label binds text (NUL-free on PostgreSQL)."""
        return storable(value) if self.dialect == "postgresql" else value

    def _where(self, table: Table, named: dict[str, Any]) -> tuple[list[str], list[Any]]:
        found = [(FILTER_COLUMNS[f][table.name], v) for f, v in named.items() if table.name in FILTER_COLUMNS[f]]
        return [f'"{c}" = {self.mark}' for c, _ in found], [self._param(v) for _, v in found]

    def select(self, report: str, filters: Filters) -> Rows:
        """The current rows of ``report``'s tables narrowed by ``filters``, ordered by key."""
        rows: Rows = {}
        tables = models.report_tables(report)
        named = filters.named()
        for table in tables:
            where, params = self._where(table, named)
            follows = FOLLOWS.get(table.name)
            if follows and named:
                parent = next(t for t in tables if t.name == follows[0])
                parent_where, parent_params = self._where(parent, named)
                if parent_where:
                    where.append(f'"{follows[1]}" IN (SELECT "{parent.keys[0]}" FROM {self.name(parent)} '
                                 f"WHERE {' AND '.join(parent_where)})")
                    params += parent_params
            keys, values = table.keys, table.values
            sql = (f"SELECT {_columns((*keys, *values))} FROM {self.name(table)}"
                   + (f" WHERE {' AND '.join(where)}" if where else "") + f" ORDER BY {_columns(keys)}")
            rows[table.name] = keyed(self._typed(table, self.run(sql, tuple(params))), len(keys), values)
        return rows

    def _typed(self, table: Table, found: list[Any]) -> list[Any]:
        """SQLite keeps booleans as 0/1: read as SQLAlchemy reads them (True/False)."""
        if self.dialect != "sqlite" or not table.booleans:
            return found
        columns = (*table.keys, *table.values)
        at = [i for i, c in enumerate(columns) if c in table.booleans]
        out = []
        for r in found:
            r = list(r)
            for i in at:
                if r[i] is not None:
                    r[i] = bool(r[i])
            out.append(tuple(r))
        return out

    def summed(self, indexes: dict[Table, Table], day: str, totals: str | None = None) -> Rows:
        """Sum tables as of ``day`` from their day indexes: one GROUP BY per table in the database
        (events without a decision date, day "", always count, as in projections.runner.fold).
        ``totals``: a report whose totals (:meth:`add_totals`) are summed over the same GROUP BY
        in the same statement (window sums), not by a second one (a command that only reads)."""
        rows: Rows = {}
        spec = TOTALS_SQL.get(totals) if totals else None
        for table, days in indexes.items():
            keys, values = table.keys, table.values
            columns = _columns(keys)
            sums = ", ".join(f'sum("{v}") AS "{v}"' for v in values)
            sql = f'SELECT {columns}, {sums} FROM {self.name(days)} WHERE "decided" <= {self.mark} GROUP BY {columns}'
            parts = spec[2] if spec is not None and spec[0] is table else {}
            if parts:
                quoted = f'"{spec[1]}"' if spec else ""
                windows = ", ".join(f"sum({part.format(v=quoted)}) OVER ()" for part in parts.values())
                sql = f"SELECT summed.*, {windows} FROM ({sql}) AS summed"
            found = self.run(sql, (day,))
            n, m = len(keys), len(keys) + len(values)
            if n == 1 and len(values) == 1:  # the trial balance: account -> balance
                name = values[0]
                rows[table.name] = {(r[0],): {name: int(r[1])} for r in found}
            else:
                rows[table.name] = {tuple(r[:n]): {v: int(x) for v, x in zip(values, r[n:m], strict=True)}
                                    for r in found}
            if parts:
                summed = [int(x) for x in found[0][m:]] if found else [0] * len(parts)
                rows[TOTALS] = {(table.name,): dict(zip(parts, summed, strict=True))}
        return rows

    def add_totals(self, rows: Rows, report: str, as_of: date | None, filters: Filters) -> None:
        """The report's totals summed by the database (current, or as of a date from the day
        index), over the same rows the report shows."""
        spec = TOTALS_SQL.get(report)
        if spec is None or filters.named() or TOTALS in rows:  # none, or summed with the rows already
            return
        table, column, parts = spec
        params: tuple[Any, ...] = ()
        source = self.name(table)
        if as_of is not None:
            days = (models.day_indexes(report) or {})[table]
            keys = _columns(table.keys)
            source = (f'(SELECT {keys}, sum("{column}") AS "{column}" FROM {self.name(days)} '
                      f'WHERE "decided" <= {self.mark} GROUP BY {keys}) AS summed')
            params = (as_of.isoformat(),)
        quoted = f'"{column}"'
        totals = ", ".join(f'coalesce(sum({part.format(v=quoted)}), 0) AS "{total}"' for total, part in parts.items())
        found = self.run(f"SELECT {totals} FROM {source}", params)[0]
        rows[TOTALS] = {(table.name,): {k: int(v) for k, v in zip(parts, found, strict=True)}}

    def position(self, ledger_name: str) -> int | None:
        """The models' tracking position when it is the log's head and the tables are of this
        code's shape (else None: the read side catches up or makes them anew)."""
        found = self.run(f'SELECT "value" FROM {self.name(META)} WHERE "key" = {self.mark}', ("shape",))
        if not found or found[0][0] != models.SHAPE:
            return None
        tracked = self.run(f'SELECT max("notification_id") FROM {self.name(TRACKING)} '
                           f'WHERE "application_name" = {self.mark}', (ledger_name,))[0][0] or 0
        log = ('SELECT max(rowid) FROM "stored_events"' if self.dialect == "sqlite"  # eventsourcing's tables
               else f"SELECT max(notification_id) FROM {self.name(LEDGER_NAME + '_events')}")
        head = self.run(log, ())[0][0] or 0
        return tracked if tracked == head else None


def report_rows(url: str, report: str, *, as_of: date | None = None,
                filters: Filters | None = None) -> tuple[Rows, int] | None:
    """``report``'s rows (and the log position they hold) read straight through the driver,
    as projections.readside.ReadSide.rows gives them, when the models in the ledger's database
    are current; None when the read side must answer."""
    filters = filters or Filters()
    if filters.start is not None or filters.end is not None or os.environ.get("JCG_CACHE"):
        return None
    if as_of is not None and (filters.named() or not models.day_indexes(report)):
        return None  # folded, or narrowed after summing: the read side's way
    try:
        database = parse_database(url)
    except ValueError:
        return None  # the read side names the error
    cipher_env()  # a bad key is refused before anything else, as when the ledger is opened
    check(report, filters)
    try:
        with _reading(database) as reader:
            position = reader.position(LEDGER_NAME)
            if position is None:
                return None
            if as_of is None:
                rows = reader.select(report, filters)
            else:
                rows = reader.summed(models.day_indexes(report) or {}, as_of.isoformat(), totals=report)
            reader.add_totals(rows, report, as_of, filters)
            return rows, position
    except _errors(database):
        return None


@contextmanager
def _reading(database: Database) -> Iterator[Reader]:
    """One read-only transaction on a bare connection to the ledger's database: the position
    and the rows are read from one snapshot. SQLite is opened read-only (nothing is created; a
    read-only copy as projections.readside opens it, immutable where no -shm file can be made)."""
    if database.kind == "sqlite":
        import sqlite3

        uri = read_only_uri(database.path) if database.read_only else f"file:{quote(os.path.abspath(database.path))}?mode=ro"
        conn: Any = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN")
            yield Reader(_runner(conn), "sqlite")
        finally:
            conn.close()
        return
    import psycopg

    conn = postgres_connection(database)
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot for every statement
        yield Reader(_runner(conn), "postgresql", database.schema)
    finally:
        conn.rollback()
        conn.close()


def _runner(conn: Any) -> Run:
    def run(sql: str, params: tuple[Any, ...]) -> list[Any]:
        cursor = conn.execute(sql, params)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    return run


def _errors(database: Database) -> tuple[type[BaseException], ...]:
    if database.kind == "sqlite":
        import sqlite3

        return (sqlite3.Error,)
    import psycopg

    return (psycopg.Error,)
