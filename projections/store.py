"""The read-model tables and their tracking position, in the ledger's own database.

A :class:`ReadModelStore` is an eventsourcing ``TrackingRecorder``: read-model changes and
their tracking rows commit in one transaction, and a tracking row that already exists rolls
the whole transaction back, so every event is applied exactly once and a crashed projection
resumes after the last committed position.

Events are applied one per transaction (:meth:`apply_event`, a follower keeping up with
writes) or staged in memory and committed a batch at a time (:meth:`stage` then
:meth:`commit`, a catch-up or a rebuild): the batch's changes and the tracking rows of all
its events commit together, so a killed batch leaves nothing and is simply applied again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from threading import Event
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking, TrackingRecorder, WaitInterruptedError

from ledger.infra.config import Database
from projections import layout, models
from projections.layout import Table
from projections.models import SHAPE
from projections.schema import META, METADATA, SNAPSHOTS, TRACKING, storable
from projections.state import (
    BatchState,
    Handed,
    Key,
    MemoryState,
    Row,
    Rows,
    key_columns,
    tracking_text,
    value_columns,
)

DIGEST_BUCKETS = 64
TABLES_BY_NAME = {t.name: t for t in models.TABLES}


def engine_for(database: Database) -> sa.Engine:
    """A SQLAlchemy engine on the ledger's database (and PostgreSQL schema)."""
    if database.kind == "sqlite":
        engine = sa.create_engine(database.sqlalchemy_url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _derived_data_pragmas)
    else:
        engine = sa.create_engine(database.sqlalchemy_url, pool_size=2, max_overflow=2, pool_pre_ping=True)
    if database.schema:
        engine = engine.execution_options(schema_translate_map={None: database.schema})
    return engine


def _derived_data_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Read-model commits need not wait for the disk: in WAL mode ``synchronous=NORMAL``
    loses nothing when the process dies (kill -9), only the last commits on a power cut,
    and the models are derived data whose tracking rows commit with them (a lost commit is
    simply applied again). The ledger's own connections keep their setting."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class SqlState:
    """The fold target of the incremental projection: statements on one open transaction."""

    def __init__(self, connection: sa.Connection, position: int = 0):
        """``position``: the event's, kept in a stamped table's rows (layout.Table.stamp_changes)."""
        self.connection = connection
        self.position = position
        dialect = connection.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover
            raise ValueError(f"unsupported database {dialect}")
        self._insert = insert

    def add(self, table: Table, key: Key, **fen: int) -> None:
        keys = key_columns(table)
        values = dict(zip(keys, key, strict=True))
        values.update(dict.fromkeys(value_columns(table), 0))
        values.update(fen)
        if table.stamp:
            values[table.stamp] = self.position
        stmt = self._insert(table.sql).values(**values)
        changes = {c: table.c[c] + stmt.excluded[c] for c in fen}
        if table.stamp:
            changes[table.stamp] = stmt.excluded[table.stamp]
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changes)
        self.connection.execute(stmt)

    def put(self, table: Table, key: Key, **fields: Any) -> None:
        keys = key_columns(table)
        values = dict(zip(keys, key, strict=True)) | fields
        if table.stamp:
            values[table.stamp] = self.position
        stmt = self._insert(table.sql).values(**values)
        changed = (*fields, table.stamp) if table.stamp else tuple(fields)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in changed})
        self.connection.execute(stmt)

    def get(self, table: Table, key: Key) -> Row | None:
        keys = key_columns(table)
        cond = sa.and_(*(table.c[k] == v for k, v in zip(keys, key, strict=True)))
        row = self.connection.execute(sa.select(table.sql).where(cond)).mappings().first()
        if row is None:
            return None
        return {c: row[c] for c in value_columns(table)}


class ReadModelStore(TrackingRecorder):
    def __init__(self, database: Database, *, create: bool = True, **kwargs: Any):
        """``create=False``: use the tables as they are, never create or drop them (a reader
        of a ledger it may not write)."""
        super().__init__(**kwargs)
        self.database = database
        self.engine = engine_for(database)
        if create and not self._shape_recorded():
            if self.stale_tables():
                METADATA.drop_all(self.engine)  # the models' shape changed: rebuilt by the next catch-up
            self._create_tables()
            self.set_meta("shape", SHAPE)
        if create and database.kind == "sqlite":
            self._write_ahead()
        self.batch = BatchState(self._row, models.LOOKUP_TABLES)
        self.staged: list[tuple[Any, Tracking]] = []

    def _write_ahead(self) -> None:
        """A store's own SQLite file (a cache, a rebuild's temporary store) in WAL mode, as the
        ledger's is: a commit then appends to the log instead of rewriting pages and a journal."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        except sa.exc.DBAPIError:
            pass  # busy or read-only: the mode it has is kept

    def _shape_recorded(self) -> bool:
        """The tables were made for this code's models (one query instead of inspecting every
        table on each command)."""
        try:
            return self.meta("shape") == SHAPE
        except sa.exc.DBAPIError:
            return False  # no tables yet

    def _create_tables(self) -> None:
        """Create the read-model tables that are missing. Two processes opening a fresh database
        at once race on CREATE TABLE: the loser finds the tables made and checks again."""
        for attempt in range(10):
            try:
                METADATA.create_all(self.engine)
                return
            except (sa.exc.IntegrityError, sa.exc.OperationalError, sa.exc.ProgrammingError):
                if attempt == 9:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def stale_tables(self) -> list[str]:
        """Read-model tables whose columns differ from the code's (a model gained a column), or
        missing beside a tracking position (a model was added: it would start empty at the head).
        They are dropped with their tracking position, so the next catch-up replays the log."""
        inspector = sa.inspect(self.engine)
        schema = self.database.schema or None
        tracked = inspector.has_table(TRACKING.name, schema=schema)
        stale = []
        for table in METADATA.sorted_tables:
            if not inspector.has_table(table.name, schema=schema):
                if tracked:
                    stale.append(table.name)
                continue
            found = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
            if found != {c.name for c in table.columns}:
                stale.append(table.name)
        return stale

    def close(self) -> None:
        self.engine.dispose()

    def _row(self, table: Table, key: Key) -> Row | None:
        with self.engine.connect() as conn:
            return SqlState(conn).get(table, key)

    # TrackingRecorder -------------------------------------------------------------------
    def insert_tracking(self, tracking: Tracking) -> None:
        with self.engine.begin() as conn:
            self._track(conn, tracking)

    @staticmethod
    def _track(conn: sa.Connection, tracking: Tracking) -> None:
        conn.execute(TRACKING.insert().values(
            application_name=tracking.application_name, notification_id=tracking.notification_id,
        ))

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.max(TRACKING.c.notification_id)).where(
                    TRACKING.c.application_name == application_name
                )
            ).scalar()

    def wait(self, application_name: str, notification_id: int | None, timeout: float = 1.0,
             interrupt: Event | None = None) -> None:
        """Like the library's wait, but polling every few milliseconds: a CLI write waits
        for one event, and the library's 100 ms first sleep would dominate."""
        deadline = time.monotonic() + timeout
        interval = 0.002
        while not self.has_tracking_id(application_name, notification_id):
            if interrupt is not None and interrupt.wait(interval):
                raise WaitInterruptedError
            if interrupt is None:
                time.sleep(interval)
            if time.monotonic() > deadline:
                raise TimeoutError(f"projection did not reach position {notification_id} in {timeout}s")
            interval = min(interval * 2, 0.05)

    # read-model updates -----------------------------------------------------------------
    def apply_event(self, event: Any, tracking: Tracking) -> bool:
        """Apply one event and record its position atomically; False if it was already applied."""
        try:
            with self.engine.begin() as conn:
                self._track(conn, tracking)
                models.apply(SqlState(conn, tracking.notification_id), tracking.notification_id, event)
        except sa.exc.IntegrityError:
            if self.has_tracking_id(tracking.application_name, tracking.notification_id):
                return False
            raise
        return True

    def load(self) -> Rows:
        """Every read-model row, in the shape the in-memory fold produces."""
        rows: Rows = {}
        with self.engine.connect() as conn:
            for table in models.TABLES:
                keys, values = key_columns(table), value_columns(table)
                rows[table.name] = {
                    tuple(r[k] for k in keys): {v: r[v] for v in values}
                    for r in conn.execute(sa.select(table.sql)).mappings()
                }
        return rows

    def select(self, table: Table, *where: Any, order_by: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            stmt = sa.select(table.sql).where(*where).order_by(*order_by)
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def stage(self, event: Any, tracking: Tracking, only: tuple[Any, ...] = models.MODELS) -> None:
        """Apply one event to the pending batch (nothing is written until :meth:`commit`);
        ``only``: the models folded here (a rebuild's helper process folds the others)."""
        self.staged.append((event, tracking))
        models.apply(self.batch, tracking.notification_id, event, only)

    def commit(self) -> int:
        """Write the pending batch and the tracking rows of its events in one transaction; returns how many
        events it held. If another process applied some of them first, the batch is rolled
        back and its events are applied one by one, skipping those."""
        staged, self.staged = self.staged, []
        if not staged:
            return 0
        try:
            with self.engine.begin() as conn:
                dialect, schema = conn.dialect.name, _schema(conn)
                conn.exec_driver_sql(tracking_text(dialect, schema),
                                     [(t.application_name, t.notification_id) for _, t in staged])
                self.batch.flush(conn.exec_driver_sql, dialect, schema, position=staged[-1][1].notification_id)
        except sa.exc.IntegrityError:
            self.batch.forget()
            for event, tracking in staged:
                self.apply_event(event, tracking)
        except BaseException:
            self.batch.forget()
            raise
        return len(staged)

    def commit_folded(self, application_name: str, positions: Sequence[int], handed: Handed) -> bool:
        """Write the changes folded elsewhere (:meth:`BatchState.handed` by a rebuild's helper
        process) with the tracking rows of their events' ``positions`` in one transaction;
        False (nothing written) if another process applied one of those events first: the
        caller then applies them one by one."""
        self.batch.adopt(handed, TABLES_BY_NAME)
        if not positions:
            self.batch.discard()
            return True
        try:
            with self.engine.begin() as conn:
                dialect, schema = conn.dialect.name, _schema(conn)
                conn.exec_driver_sql(tracking_text(dialect, schema), [(application_name, p) for p in positions])
                self.batch.flush(conn.exec_driver_sql, dialect, schema, position=positions[-1])
        except sa.exc.IntegrityError:
            self.batch.forget()
            return False
        except BaseException:
            self.batch.forget()
            raise
        return True

    # snapshots ----------------------------------------------------------------------------
    def save_snapshot(self, position: int, max_decided: str) -> None:
        """Keep every model's rows (the trail aside: it is queried, never folded for time
        travel) as they stand after ``position`` (the caller committed up to it): the rows
        changed since the latest snapshot before it (each row keeps the position of its last
        change: layout.Table.stamp_changes; all of them for the first), copied inside the
        database (INSERT … SELECT, no row passes through Python). A snapshot is read with the
        ones before it (:meth:`load_snapshot`): copying every row each time cost a rebuild of
        200,000 events a tenth of its time and held 2.8 million copied rows (docs/decisions.md)."""
        try:
            with self.engine.begin() as conn:
                before = conn.execute(sa.select(sa.func.max(SNAPSHOTS.c.position))
                                      .where(SNAPSHOTS.c.position < position)).scalar()
                conn.execute(SNAPSHOTS.insert().values(position=position, max_decided=max_decided))
                for model in models.SNAPSHOT_MODELS:
                    for table in models.snapshot_tables(model):
                        copy = shadow(table)
                        names = [*table.keys, *table.values]
                        rows = sa.select(sa.literal(position, sa.BigInteger), *(table.c[n] for n in names))
                        if before is not None:
                            rows = rows.where(table.c[table.stamp] > before)
                        conn.execute(copy.insert().from_select(["snapshot", *names], rows))
        except sa.exc.IntegrityError:
            pass  # another process took the same snapshot

    def snapshots(self, limit: int) -> list[tuple[int, str]]:
        """(position, max_decided) of the snapshots at or before ``limit``, latest first."""
        with self.engine.connect() as conn:
            return [(int(r[0]), str(r[1])) for r in conn.execute(
                sa.select(SNAPSHOTS.c.position, SNAPSHOTS.c.max_decided)
                .where(SNAPSHOTS.c.position <= limit).order_by(SNAPSHOTS.c.position.desc()))]

    def load_snapshot(self, position: int, only: Iterable[Any]) -> MemoryState:
        """The rows of the ``only`` models' tables as the snapshot at ``position`` keeps them:
        each row as the latest snapshot up to it copied it (a snapshot copies the rows changed
        since the one before; rows are never deleted)."""
        state = models.empty_state()
        with self.engine.connect() as conn:
            for model in only:
                for table in models.snapshot_tables(model):
                    copy = shadow(table)
                    keys, values = key_columns(table), value_columns(table)
                    rows = state.rows[table.name] = {}
                    for r in conn.execute(sa.select(copy).where(copy.c.snapshot <= position)
                                          .order_by(copy.c.snapshot)).mappings():
                        rows[tuple(_plain(r[k]) for k in keys)] = {v: _plain(r[v]) for v in values}
        return state

    # digests --------------------------------------------------------------------------------
    def digests(self, buckets: int = DIGEST_BUCKETS) -> dict[str, list[int]]:
        """Per table, ``buckets`` order-free sums of row hashes, bucketed by key: two stores
        (SQLite or PostgreSQL, any collation) hold the same rows iff their digests are equal,
        and differing buckets say where to look. Rows are streamed: memory stays flat."""
        out: dict[str, list[int]] = {}
        with self.engine.connect() as conn:
            for table in models.TABLES:
                sums = [0] * buckets
                for key, row in _stream(conn, table):
                    b, h = _row_hash(key, row, buckets)
                    sums[b] = (sums[b] + h) & MASK
                out[table.name] = sums
        return out

    def bucket_rows(self, table: Table, bucket: int, buckets: int = DIGEST_BUCKETS) -> dict[Any, dict[str, Any]]:
        with self.engine.connect() as conn:
            return {key: row for key, row in _stream(conn, table) if _row_hash(key, row, buckets)[0] == bucket}

    def meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(META.c.value).where(META.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about the tables; a concurrent opener recording it first is fine."""
        try:
            with self.engine.begin() as conn:
                conn.execute(META.delete().where(META.c.key == key))
                conn.execute(META.insert().values(key=key, value=value))
        except sa.exc.IntegrityError:
            pass

    def reset(self) -> None:
        """Drop every read-model table and the tracking position (a rebuild starts here)."""
        self.staged = []
        self.batch.forget()
        METADATA.drop_all(self.engine)
        METADATA.create_all(self.engine)


MASK = (1 << 64) - 1


def _schema(conn: sa.Connection) -> str:
    """The PostgreSQL schema the engine's connections translate to ("" for none)."""
    return str((conn.get_execution_options().get("schema_translate_map") or {}).get(None) or "")


def shadow(table: Table) -> sa.Table:
    """The snapshot copy of a model table (projections.layout.shadow), as SQLAlchemy's."""
    made: sa.Table = layout.shadow(table).sql
    return made


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _stream(conn: sa.Connection, table: Table) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    keys, values = key_columns(table), value_columns(table)
    result = conn.execution_options(yield_per=5000).execute(sa.select(table.sql)).mappings()
    for r in result:  # as PostgreSQL stores them (a NUL shown as U+FFFD), so the backends compare equal
        yield tuple(storable(_plain(r[k])) for k in keys), {v: storable(_plain(r[v])) for v in values}


def _row_hash(key: tuple[Any, ...], row: dict[str, Any], buckets: int) -> tuple[int, int]:
    k = repr(key).encode()
    bucket = int.from_bytes(hashlib.blake2b(k, digest_size=4).digest(), "big") % buckets
    h = hashlib.blake2b(k + b"\x00" + repr(sorted(row.items())).encode(), digest_size=8).digest()
    return bucket, int.from_bytes(h, "big")


# On SQLite every read-model table is the b-tree of its primary key (WITHOUT ROWID): a row is
# written once, not into the table and again into its key's index, so a rebuild's commits cost
# ~6 µs less per event (docs/decisions.md). Tables made from now on; PostgreSQL ignores it.
for _table in METADATA.tables.values():
    _table.dialect_kwargs["sqlite_with_rowid"] = False
