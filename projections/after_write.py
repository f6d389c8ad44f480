"""The read models brought up to date right after a write, straight through the database driver.

After a command the models lack exactly the events it recorded (the command before applied its
own). In that common case this module applies them with a few plain statements on one DBAPI
connection to the ledger's database (sqlite3; psycopg, which a PostgreSQL ledger has loaded):
read the shape and the tracking position, fold the events with the same model code as every
other path (:func:`projections.models.apply` into a :class:`projections.state.BatchState`,
looking rows up by plain SELECT), write them with the same upserts and insert their tracking
rows, in one transaction. SQLAlchemy is not imported: it was half of an award's start-up
(bench/startup.py, docs/decisions.md).

Anything else goes to :meth:`projections.readside.ReadSide.written`, as before: the models
behind or ahead of the write, tables of another shape or not made yet, a snapshot due, a
reader's local cache, a read-only ledger, any database error (a tracking row another process
inserted first, a role that may not write the tables). A failure here never fails the write.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ledger.application import Ledger
from ledger.infra.config import Database, postgres_connection
from projections import models
from projections.layout import META, TRACKING, Table
from projections.state import BatchState, Key, Row, clean_key, select_text, tracking_text


def _log() -> Any:
    """The read side's logger, loaded when there is something to say (logging is ~5 ms of a
    command's start, and a write that keeps the models current says nothing)."""
    import logging

    return logging.getLogger("jcg.readside")

SNAPSHOT_EVERY = 10_000


def snapshot_interval(ledger: Ledger) -> int:
    """Events between fold snapshots ($JCG_SNAPSHOT_EVERY, default 10,000; 0 = none)."""
    text = ledger.env.get("JCG_SNAPSHOT_EVERY") or os.environ.get("JCG_SNAPSHOT_EVERY") or ""
    try:
        return max(int(text), 0) if text.strip() else SNAPSHOT_EVERY
    except ValueError:
        raise ValueError(f"JCG_SNAPSHOT_EVERY must be a whole number of events, not {text!r}") from None


def keep_current(ledger: Ledger, read_side: Callable[[], Any], *, direct: Callable[[], bool] = lambda: True) -> None:
    """Register the after-write hook: it applies what the write recorded, directly when it can
    (``direct()``: the models live in the ledger's database), else through ``read_side()``
    (made only then). A failure never fails the write (it is logged); the next reader catches up."""

    def hook(ledger: Ledger) -> None:
        try:
            if not (direct() and apply_recorded(ledger, ledger.recorded) is not None):
                read_side().written(ledger.recorded)
        except Exception as exc:
            _log().warning("read models not updated after the write (the next report catches up): %s", exc)

    ledger.after_write.append(hook)


def apply_recorded(ledger: Ledger, recorded: list[tuple[int, Any]]) -> int | None:
    """Apply ``recorded`` (the write's events with their positions) to the models in the
    ledger's database; the position reached, or None when this is not the common case (the
    caller then uses the read side, which decides and catches up)."""
    database = ledger.database
    if not recorded or database.read_only or os.environ.get("JCG_CACHE"):
        return None
    try:
        with _Connection(database) as conn:
            return conn.apply(ledger.name, recorded, snapshot_interval(ledger))
    except conn_errors(database) as exc:
        _log().debug("read models not updated directly (%s): the read side catches up", exc)
        return None


def conn_errors(database: Database) -> tuple[type[BaseException], ...]:
    """The driver's errors: any of them sends the update to the read side."""
    if database.kind == "sqlite":
        import sqlite3

        return (sqlite3.Error,)
    import psycopg

    return (psycopg.Error,)


class _Connection:
    """One DBAPI connection to the ledger's database, one transaction: committed when the
    events were applied, rolled back otherwise (nothing is left half-written)."""

    def __init__(self, database: Database):
        self.database = database
        self.schema = database.schema
        if database.kind == "sqlite":
            import sqlite3

            self.dialect = "sqlite"
            self.raw: Any = sqlite3.connect(database.path, timeout=30, isolation_level=None)
            try:
                # as projections.store's engine: derived data whose tracking rows commit with it
                self.raw.execute("PRAGMA synchronous=NORMAL")
                self.raw.execute("BEGIN IMMEDIATE")  # the write lock first: what is read is what is written on
            except BaseException:
                self.raw.close()
                raise
        else:
            self.dialect = "postgresql"
            self.raw = postgres_connection(database)  # a transaction begins with the first statement
        self.done = False

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.dialect == "postgresql":
                self.raw.commit() if self.done else self.raw.rollback()
            else:  # sqlite3 in autocommit mode: the transaction is the explicit BEGIN IMMEDIATE
                self.raw.execute("COMMIT" if self.done else "ROLLBACK")
        finally:
            self.raw.close()

    def one(self, sql: str, params: tuple[Any, ...]) -> Any:
        cursor = self.raw.execute(sql, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def table(self, table: Table) -> str:
        return f'"{self.schema}"."{table.name}"' if self.schema else f'"{table.name}"'

    def mark(self) -> str:
        return "?" if self.dialect == "sqlite" else "%s"

    def row(self, table: Table, key: Key) -> Row | None:
        found = self.one(select_text(self.dialect, self.schema, table), clean_key(self.dialect, key))
        if found is None:
            return None
        row = dict(zip(table.values, found, strict=True))
        for column in table.booleans & row.keys():  # SQLite keeps booleans as 0/1: read as SQLAlchemy reads them
            if row[column] is not None:
                row[column] = bool(row[column])
        return row

    def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def apply(self, name: str, recorded: list[tuple[int, Any]], every: int) -> int | None:
        mark = self.mark()
        shape = self.one(f'SELECT "value" FROM {self.table(META)} WHERE "key" = {mark}', ("shape",))
        if shape is None or shape[0] != models.SHAPE:
            return None  # tables of another shape (or none): the read side makes them anew
        found = self.one(f'SELECT max("notification_id") FROM {self.table(TRACKING)} '
                         f'WHERE "application_name" = {mark}', (name,))
        position = (found[0] if found else None) or 0
        first, last = recorded[0][0], recorded[-1][0]
        if position >= last:
            return position  # applied already (nothing is written)
        if position != first - 1 or (every and last // every > position // every):
            return None  # behind, or a snapshot due: the read side catches up from the log
        batch = BatchState(self.row)
        for at, event in recorded:
            models.apply(batch, at, event)
        self.execute_many(tracking_text(self.dialect, self.schema), [(name, at) for at, _ in recorded])
        batch.flush(self.execute_many, self.dialect, self.schema, position=last)
        self.done = True
        return last
