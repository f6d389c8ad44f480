"""The read side: where a reader's read models live, how they stay current, and every
question put to them (reports, shows, lists), current or in the past.

- Writers keep the models in the ledger's database, updated right after each write
  (:meth:`ReadSide.keep_current`, an after-write hook: it applies what the write recorded).
  So a report never starts a catch-up larger than the last command wrote.
- A reader who may not write the ledger (a read-only SQLite file, a SELECT-only PostgreSQL
  role) or who asks for it ($JCG_CACHE / ``cache=``) keeps them in a local cache instead: a
  SQLite file (default under $XDG_CACHE_HOME/jcg-ledger/, one per ledger URL) or ``memory``.
  Nothing derived is ever written to the ledger then. A cache that no longer matches the
  ledger (another database at the same URL) is dropped and rebuilt.
- Current answers are SQL queries (filters and ordering in the database); answers as of a
  date or a position come from :func:`projections.runner.fold_at` (snapshots), the one
  time-travel mechanism.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking

from domain.errors import Refused
from ledger.application import Ledger
from ledger.infra.config import Database, parse_database
from projections import models
from projections.after_write import keep_current
from projections.current import Reader
from projections.filters import FILTER_COLUMNS as FILTER_COLUMNS  # the filters' columns: projections.filters
from projections.filters import FOLLOWS, Filters, check
from projections.layout import Table
from projections.runner import advance, fold_at, head, snapshot_interval
from projections.state import Rows, is_sum_table, key_columns
from projections.store import ReadModelStore

log = logging.getLogger("jcg.readside")

DENIED = ("permission denied", "readonly", "read-only", "attempt to write", "unable to open")


def _denied(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(word in text for word in DENIED)


def cache_path(ledger_url: str) -> str:
    """The default local cache of a ledger's read models ($JCG_CACHE wins)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256(ledger_url.encode()).hexdigest()[:16]
    return os.path.join(base, "jcg-ledger", f"{digest}.sqlite")


class ReadSide:
    def __init__(self, ledger: Ledger, cache: str | None = None):
        self.ledger = ledger
        self.cache = cache if cache is not None else os.environ.get("JCG_CACHE") or None
        self._store: ReadModelStore | None = None
        self._temp: str | None = None

    # where the models live ----------------------------------------------------------------
    @property
    def store(self) -> ReadModelStore:
        if self._store is None:
            if self.cache is None and not self.ledger.database.read_only:
                try:
                    self._store = ReadModelStore(self.ledger.database)
                except sa.exc.DBAPIError as exc:
                    if not _denied(exc):
                        raise
                    self._store = self._default_cache()
            else:
                self._store = self._default_cache()
        return self._store

    def _default_cache(self) -> ReadModelStore:
        """The cache named, else the default file; a default this user cannot write (made by
        someone else) gives way to a temporary one."""
        if self.cache:
            return self._cache_store(self.cache)
        try:
            return self._cache_store(cache_path(self.ledger.database.url))
        except (OSError, sa.exc.DBAPIError) as exc:
            log.warning("the read-model cache %s cannot be used (%s): a temporary one is used",
                        cache_path(self.ledger.database.url), exc)
            return self._cache_store("memory")

    @property
    def local(self) -> bool:
        return self.store.database is not self.ledger.database

    def _cache_store(self, where: str) -> ReadModelStore:
        if where == "memory":
            handle, self._temp = tempfile.mkstemp(prefix="jcg-cache-", suffix=".sqlite")
            os.close(handle)
            where = self._temp
        Path(where).parent.mkdir(parents=True, exist_ok=True)
        store = ReadModelStore(parse_database(f"sqlite:///{where}"))
        identity = self._identity()
        if store.meta("ledger") not in (None, identity) or self._moved(store):
            store.reset()
        store.set_meta("ledger", identity)
        return store

    def _identity(self) -> str:
        first = self.ledger.recorder.select_notifications(start=1, limit=1)
        return f"{self.ledger.database.url} {first[0].originator_id if first else ''}"

    def _moved(self, store: ReadModelStore) -> bool:
        """The cache is ahead of the ledger: it was built from another one."""
        return (store.max_tracking_id(self.ledger.name) or 0) > head(self.ledger)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._temp:
            Path(self._temp).unlink(missing_ok=True)
            self._temp = None

    # staying current ------------------------------------------------------------------------
    def current(self) -> int:
        """Apply what was recorded since the models' position; returns the position reached.
        Writers call it after every write, so this is what the last command wrote."""
        try:
            return advance(self.ledger, self.store)
        except sa.exc.DBAPIError as exc:
            if self.local or not _denied(exc):
                raise
            self.store.close()  # the ledger's tables may be read, not written: use a local cache
            self._store = self._default_cache()
            return advance(self.ledger, self._store)

    def written(self, recorded: list[tuple[int, Any]]) -> int:
        """After a write: apply the events it recorded (in memory, with their positions) when
        they are all the models lack, so the log is not read back (one position query, the
        lookups, one commit); otherwise, or across a snapshot boundary, :meth:`current`."""
        if not recorded:
            return self.current()
        try:
            return self._apply_recorded(recorded)
        except sa.exc.DBAPIError:
            return self.current()  # the models cannot be written here: the catch-up decides where

    def _apply_recorded(self, recorded: list[tuple[int, Any]]) -> int:
        store, name = self.store, self.ledger.name
        position = store.max_tracking_id(name) or 0
        first, last = recorded[0][0], recorded[-1][0]
        if position >= last:
            return position
        every = snapshot_interval(self.ledger)
        if position != first - 1 or (every and last // every > position // every):
            return self.current()
        store.batch.forget()
        for at, event in recorded:
            store.stage(event, Tracking(name, at))
        store.commit()
        return last

    def keep_current(self) -> None:
        """Register the after-write hook: it applies what the write recorded, straight through
        the database driver in the common case (projections.after_write), else :meth:`written`.
        A failure there never fails the write (it is logged); the next reader catches up."""
        keep_current(self.ledger, lambda: self, direct=self.writes_ledger)

    def writes_ledger(self) -> bool:
        """The models live in the ledger's own database (no local cache chosen or fallen back to)."""
        return self.cache is None and (self._store is None or not self.local)

    # answers -----------------------------------------------------------------------------------
    def rows(self, report: str, *, as_of: date | None = None, at_position: int | None = None,
             filters: Filters | None = None) -> tuple[Rows, int]:
        """The rows of ``report``'s tables, narrowed by ``filters``, now or in the past;
        with the log position they were built at."""
        filters = filters or Filters()
        self._check_filters(report, filters)
        if filters.start is not None or filters.end is not None:
            return self._between(report, filters, at_position)
        position = self.current()
        if as_of is None and at_position is None:
            rows = self._select(report, filters)
            self._add_totals(rows, report, None, filters)
            return rows, position
        if at_position is not None and at_position > head(self.ledger):
            raise Refused(f"--at-position {at_position} is beyond the log, which holds {head(self.ledger):,} events")
        state, last = fold_at(self.ledger, self.store, as_of=as_of, at_position=at_position, report=report)
        rows = _narrow(state.rows, self._tables(report), filters)
        if at_position is None and models.day_indexes(report):  # summed in SQL by fold_at
            self._add_totals(rows, report, as_of, filters)
        return rows, last

    def _add_totals(self, rows: Rows, report: str, as_of: date | None, filters: Filters) -> None:
        """The report's totals summed by the database (projections.current.Reader.add_totals)."""
        with self.store.engine.connect() as conn:
            Reader.over(conn, self.store.database.schema).add_totals(rows, report, as_of, filters)

    def _between(self, report: str, filters: Filters, at_position: int | None) -> tuple[Rows, int]:
        end_rows, position = self.rows(report, as_of=filters.end, at_position=at_position,
                                       filters=Filters(**filters.named())) if filters.end else \
            self.rows(report, at_position=at_position, filters=Filters(**filters.named()))
        if filters.start is None:
            return end_rows, position
        before, _ = self.rows(report, as_of=filters.start - timedelta(days=1), at_position=at_position,
                              filters=Filters(**filters.named()))
        return _subtract(end_rows, before, self._tables(report)), position

    @staticmethod
    def _tables(report: str) -> list[Table]:
        return list(models.report_tables(report))

    def _check_filters(self, report: str, filters: Filters) -> None:
        check(report, filters)

    def _select(self, report: str, filters: Filters) -> Rows:
        """The current rows, narrowed and ordered in SQL (projections.current.Reader.select: the
        same statements a command that only reads runs on a bare connection)."""
        with self.store.engine.connect() as conn:
            return Reader.over(conn, self.store.database.schema).select(report, filters)

    def at(self, report: str, as_of: date | None = None, at_position: int | None = None) -> tuple[Rows, Any]:
        """``report``'s rows at a moment, with the moment (for views: fund and cap table shows)."""
        from projections.views.moment import Moment

        rows, position = self.rows(report, as_of=as_of, at_position=at_position)
        return rows, Moment(as_of, at_position, position)

    def list_rows(self, table: Table, *where: Any, order_by: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Current rows of one table (lists: funds, parties), ordered in SQL (by key unless told)."""
        self.current()
        return self.store.select(table, *where, order_by=[*order_by, *(table.c[k] for k in key_columns(table))])


def _narrow(rows: Rows, tables: Iterable[Table], filters: Filters) -> Rows:
    """The folded rows narrowed as :meth:`ReadSide._select` narrows in SQL."""
    named = filters.named()
    tables = list(tables)
    if not named:  # nothing to narrow: the rows as folded, no row copied
        return {t.name: rows.get(t.name, {}) for t in tables}
    out: Rows = {}
    for table in tables:
        keys = key_columns(table)
        kept = {}
        for key, row in rows.get(table.name, {}).items():
            full = dict(zip(keys, key, strict=True)) | row
            if all(full[FILTER_COLUMNS[f][table.name]] == v for f, v in named.items()
                   if table.name in FILTER_COLUMNS[f]):
                kept[key] = row
        out[table.name] = kept
    for name, (parent, column) in FOLLOWS.items():
        if name in out and parent in out and named:
            codes = {k[0] for k in out[parent]}
            index = key_columns(next(t for t in tables if t.name == name)).index(column)
            out[name] = {k: r for k, r in out[name].items() if k[index] in codes}
    return out


def _subtract(after: Rows, before: Rows, tables: Iterable[Table]) -> Rows:
    """Amounts decided between two dates: running totals after minus before (rows that did
    not move are left out); records as they stand after."""
    out: Rows = {}
    for table in tables:
        rows = after.get(table.name, {})
        if not is_sum_table(table):
            out[table.name] = rows
            continue
        earlier = before.get(table.name, {})
        moved = {}
        for key, row in rows.items():
            prior = earlier.get(key, {})
            delta = {c: (v or 0) - (prior.get(c) or 0) for c, v in row.items()}
            if any(delta.values()):
                moved[key] = delta
        out[table.name] = moved
    return out


def local_database(path: str) -> Database:
    return parse_database(f"sqlite:///{path}")
