"""Running the read models: follow the ledger's log with tracking, rebuild, fold in time.

- :class:`ReadModels` is an eventsourcing ``Projection`` whose view is the
  :class:`~projections.store.ReadModelStore`; a ``ProjectionRunner`` (library machinery)
  subscribes to the ledger and feeds it events with their tracking positions.
- The library's SQLite recorder cannot be subscribed to, so the follower's ledger uses a
  recorder that polls (PostgreSQL uses the library's LISTEN/NOTIFY subscription).
- The runner follows with the ledger's own environment (database, cipher), so an encrypted
  ledger is read with its key (:func:`follower_env`).
- :func:`advance` is the synchronous catch-up every write and read uses (no threads): it
  reads the log in batches, folds them in memory, commits each batch with its tracking rows,
  and keeps a fold snapshot every N events. :func:`rebuild` is a reset and an advance (on a
  large log with a second core, the log read, decoded and folded once, by a helper process
  that hands each batch's changes over to be written in the same transactions:
  :class:`Helper`).
- :func:`fold_at` is the one time-travel mechanism (every --as-of/--at-position): from the
  nearest usable snapshot, then only the events the answer includes. :func:`fold` is the
  plain reference fold it is checked against.
- :func:`compare` tells two stores apart by streaming digests (memory stays flat).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import ListenNotifySubscription, Subscription, Tracking
from eventsourcing.projection import BaseProjectionRunner, Projection
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ledger.application import Ledger
from projections import models
from projections.after_write import SNAPSHOT_EVERY as SNAPSHOT_EVERY  # where bench/replay.py reads it
from projections.after_write import snapshot_interval
from projections.collector import fewer_collections as fewer_collections  # where bench/ and tests find it
from projections.collector import fewer_collections_if
from projections.current import Reader
from projections.layout import Table
from projections.memo import kept
from projections.state import BatchState, Handed, MemoryState, Rows, from_fen
from projections.store import ReadModelStore
from projections.trail import TRAIL

POLL_SECONDS = 0.02


class PollingSubscription(ListenNotifySubscription[Any]):
    """The library's pull-on-notify subscription, notified by a timer instead of NOTIFY."""

    def __init__(self, recorder: Any, gt: int | None = None, topics: Sequence[str] = ()) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._has_been_stopped:
            time.sleep(POLL_SECONDS)
            self._has_been_notified.set()


class FollowableSQLiteRecorder(SQLiteApplicationRecorder):
    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[Any]:
        return PollingSubscription(self, gt=gt, topics=topics)


class ReadModels(Projection[ReadModelStore]):
    """Every read model, applied together per event (one position for all tables)."""

    name = "readmodels"
    pause_seconds = 0.0  # only the crash test slows it down, to kill it mid-way
    batch_size = 1  # events per transaction
    flush_at: int | None = None  # commit the batch on reaching this position (caught up)
    stop_at: int | None = None  # leave later events for a later catch-up
    progress: Callable[[int], None] | None = None

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        position = tracking.notification_id
        if self.stop_at is not None and position > self.stop_at:
            return
        if self.pause_seconds:
            time.sleep(self.pause_seconds)
        if self.batch_size <= 1:
            self.view.apply_event(domain_event, tracking)
            caught_up = True
        else:
            self.view.stage(domain_event, tracking)
            caught_up = self.flush_at is not None and position >= self.flush_at
            if len(self.view.staged) < self.batch_size and not caught_up:
                return
            self.view.commit()
        if self.progress is not None and (caught_up or self.batch_size > 1):
            self.progress(position)


BATCH_SIZE = 2000
# a rebuild's batches: measured at 2,000, 5,000 and 10,000 events (50k ledger, docs/decisions.md),
# larger ones were no faster within the noise and held 18 and 46 MB more
REBUILD_BATCH = BATCH_SIZE


def follower_env(ledger: Ledger) -> dict[str, str]:
    """The environment the ledger itself runs with (database, cipher, …), with a recorder
    that can be subscribed to on SQLite: one place, so the follower reads what the ledger wrote.

    The follower never creates tables: the ledger it follows already did, and on PostgreSQL
    the library's table creation re-runs CREATE OR REPLACE FUNCTION, which fails with
    "tuple concurrently updated" beside a command doing the same."""
    env = dict(ledger.env)
    env["CREATE_TABLE"] = "no"
    if ledger.database.kind == "sqlite":
        env["APPLICATION_RECORDER_TOPIC"] = f"{__name__}:FollowableSQLiteRecorder"
    return env


def start(ledger: Ledger, store: ReadModelStore, *, pause_seconds: float = 0.0, batch_size: int = 1,
          target: int | None = None, progress: Callable[[int], None] | None = None) -> BaseProjectionRunner[Ledger]:
    """Start following the ledger's log from the store's tracked position (in threads).
    With ``batch_size`` > 1 a ``target`` is required: events up to it are committed in
    batches, later ones are left alone."""
    if batch_size > 1 and target is None:
        raise ValueError("a batched catch-up needs the position it catches up to")
    projection = ReadModels(view=store)
    projection.pause_seconds = pause_seconds
    projection.batch_size = batch_size
    projection.flush_at = projection.stop_at = target if batch_size > 1 else None
    projection.progress = progress
    return BaseProjectionRunner(
        projection=projection,
        application_class=Ledger,
        tracking_recorder=store,
        topics=(),
        env=follower_env(ledger),
    )


def head(ledger: Ledger) -> int:
    """The position of the last recorded event (0 for an empty ledger)."""
    return ledger.recorder.max_notification_id() or 0


def advance(ledger: Ledger, store: ReadModelStore, *, target: int | None = None, batch_size: int = BATCH_SIZE,
            progress: Callable[[int], None] | None = None, pause_seconds: float = 0.0) -> int:
    """Bring the store up to ``target`` (default: the last recorded event) in this thread:
    the log is read in batches of ``batch_size`` notifications, folded in memory and
    committed with the batch's tracking rows in one transaction (a killed run leaves whole
    batches and resumes after the last). A fold snapshot is kept every
    :func:`snapshot_interval` events. Returns the position reached."""
    target = head(ledger) if target is None else target
    position = store.max_tracking_id(ledger.name) or 0
    if position >= target:
        return position
    every = snapshot_interval(ledger)
    store.batch.forget()  # rows another process projected since are read again
    with fewer_collections_if(target - position > batch_size):
        return _advance(ledger, store, position, target, every, batch_size, progress, pause_seconds)


def _advance(ledger: Ledger, store: ReadModelStore, position: int, target: int, every: int, batch_size: int,
             progress: Callable[[int], None] | None, pause_seconds: float) -> int:
    name = ledger.name
    for notifications in _batches(ledger, position, target, batch_size):
        for n in notifications:
            if every and store.staged and n.id // every > position // every:
                store.commit()  # a snapshot boundary: everything before it is committed first
                _snapshot(store, position)
            if pause_seconds:
                time.sleep(pause_seconds)
            store.stage(ledger.mapper.to_domain_event(n), Tracking(name, n.id))
            position = n.id
        store.commit()
        if progress is not None:
            progress(position)
    return position


def _batches(ledger: Ledger, position: int, target: int, batch_size: int) -> Iterator[Sequence[Any]]:
    """The log after ``position`` up to ``target``, a batch at a time."""
    select = _selector(ledger.recorder)
    while position < target:
        notifications = select(position + 1, min(batch_size, target - position), target)
        if not notifications:
            return
        yield notifications
        position = notifications[-1].id


class Recorded(NamedTuple):
    """A notification as the library's mapper reads it (``to_domain_event``), made as a tuple
    (no frozen dataclass ``__init__``, no row looked up by column name)."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def _selector(recorder: Any) -> Callable[[int, int, int], Sequence[Any]]:
    """How a catch-up reads the log: on SQLite straight from the events table (the library's
    recorder looks each column up by name and builds a frozen dataclass per row);
    elsewhere the recorder's ``select_notifications``."""
    if not isinstance(recorder, SQLiteApplicationRecorder):
        return lambda start, limit, stop: recorder.select_notifications(start=start, limit=limit, stop=stop)
    statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                 "WHERE rowid>=? AND rowid<=? ORDER BY rowid LIMIT ?")
    uuids = recorder.datastore.originator_id_type == "uuid"  # as the recorder converts them

    uuid_of = kept(UUID)  # an aggregate's events repeat its id: each made once (a UUID is immutable)

    def select(start: int, limit: int, stop: int) -> list[Recorded]:
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (start, stop, limit))
            if uuids:
                return [Recorded(i, uuid_of(o), v, t, s) for i, o, v, t, s in cursor.fetchall()]
            return list(map(Recorded._make, cursor.fetchall()))

    return select


# A rebuild of a large log reads, decodes and folds every model in a helper process (on the
# machine's second core) while this process writes: each batch's rows come over a pipe and are
# written with the batch's tracking rows in one transaction, so a killed rebuild (either
# process) leaves whole batches and `advance` resumes it. The helper ends its batches where
# :func:`_advance` ends them (each read, each snapshot boundary) and says where a snapshot is due.
HELPER_FROM = 20_000  # events: a smaller rebuild is over before a helper process has started
BATCH, SNAPSHOT, END, FAILED = "batch", "snapshot", "end", "error"


def _helper_wanted(ledger: Ledger, events: int) -> bool:
    """A helper needs a database another process can open (not an in-memory SQLite one).
    $JCG_REBUILD_HELPER=1 or 0 decides; else it is used on a large log with a second core
    (measured: docs/decisions.md, the rebuild's sections)."""
    db = getattr(ledger, "database", None)
    if db is None or (db.kind == "sqlite" and (not db.path or ":memory:" in db.path or "mode=memory" in db.path)):
        return False
    chosen = (ledger.env.get("JCG_REBUILD_HELPER") or os.environ.get("JCG_REBUILD_HELPER") or "").strip()
    if chosen in ("0", "1"):  # chosen by whoever runs it (a bench comparing both)
        return chosen == "1"
    return events >= HELPER_FROM and (os.cpu_count() or 1) > 1


class Helper:
    """The helper process of a rebuild, and the parent's end of its pipe: a thread here drains
    the pipe as the helper writes (up to :data:`AHEAD` batches), so the helper is not kept
    waiting while this process commits or takes a snapshot (the helper is the slower side)."""

    def __init__(self, ledger: Ledger, position: int, target: int, every: int, batch_size: int,
                 pause_seconds: float = 0.0):
        import multiprocessing
        import queue

        env = dict(ledger.env)
        env["CREATE_TABLE"] = "no"
        context = multiprocessing.get_context("fork")
        self.pipe, theirs = context.Pipe(duplex=False)
        self.process = context.Process(target=_help, name="jcg-rebuild-helper", daemon=True,
                                       args=(env, position, target, every, batch_size, pause_seconds, theirs))
        self.process.start()
        theirs.close()
        self.received: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
        self.ended = False  # the helper folded the last event
        self.closing = threading.Event()
        self.receiver = threading.Thread(target=self._receive, name="jcg-rebuild-receiver", daemon=True)
        self.receiver.start()

    def _receive(self) -> None:
        import queue

        while not self.closing.is_set():
            try:
                data: bytes | None = self.pipe.recv_bytes()
            except (EOFError, OSError):  # the helper ended (or was killed)
                data = None
            while not self.closing.is_set():
                try:
                    self.received.put(data, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if data is None:
                return

    def batches(self) -> Iterator[tuple[str, int, list[int], Handed]]:
        """What the helper hands over, in order: (BATCH or SNAPSHOT, the position reached, the
        positions of the batch's events, their rows), until it has folded the last event."""
        while True:
            data = self.received.get()
            if data is None:
                raise RuntimeError("the rebuild's helper process ended before the last event")
            kind, reached, positions, rows = _unpacked(data)
            if kind == FAILED:
                raise RuntimeError(f"the rebuild's helper process failed: {rows}")
            if kind == END:
                self.ended = True
                return
            yield kind, reached, positions, rows

    def close(self) -> None:
        """End the helper (at once if the rebuild stopped before the end), then the thread."""
        self.closing.set()
        if self.ended:
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.join(timeout=10)  # the pipe's other end is closed: its read ends
        self.pipe.close()


AHEAD = 4  # batches the helper may be ahead of the writes (each a few MB once decoded)


def _help(env: dict[str, str], position: int, target: int, every: int, batch_size: int, pause_seconds: float,
          out: Any) -> None:
    """The helper process: reads, decodes and folds every model from ``position`` to ``target``
    and sends the rows of each batch, ending where :func:`_advance` ends each (the same reads,
    the same snapshot boundaries). Its own connections: none is inherited."""
    try:
        gc.freeze()  # what it was forked with is never collected here (nor copied by the collector's writes)
        gc.set_threshold(max(gc.get_threshold()[0], 50_000), *gc.get_threshold()[1:])
        ledger = Ledger(env)
        state = BatchState(None, models.LOOKUP_TABLES, complete=True)
        decode, apply = ledger.mapper.to_domain_event, models.apply
        positions: list[int] = []
        for notifications in _batches(ledger, position, target, batch_size):
            for n in notifications:
                if every and positions and n.id // every > position // every:
                    out.send_bytes(_packed((SNAPSHOT, position, positions, state.handed())))
                    positions = []
                if pause_seconds:
                    time.sleep(pause_seconds)
                apply(state, n.id, decode(n))
                positions.append(n.id)
                position = n.id
            out.send_bytes(_packed((BATCH, position, positions, state.handed())))
            positions = []
        out.send_bytes(_packed((END, position, [], ({}, {}))))
    except BaseException as exc:  # the parent names it; a broken pipe (the parent died) ends here too
        with contextlib.suppress(Exception):
            out.send_bytes(_packed((FAILED, position, [], repr(exc))))


MARSHALLED, PICKLED = b"M", b"P"


def _packed(message: tuple[str, int, list[int], Any]) -> bytes:
    """A message for the parent: marshalled (a batch's rows are text, integers, None and
    booleans in tuples and dicts, which marshal writes and reads faster than pickle:
    docs/decisions.md), else pickled. Both processes are the same interpreter (forked)."""
    try:
        return MARSHALLED + marshal.dumps(message)
    except ValueError:  # a value marshal cannot write (a model's row holding another type)
        return PICKLED + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _unpacked(data: bytes) -> tuple[str, int, list[int], Any]:
    body = memoryview(data)[1:]
    message: tuple[str, int, list[int], Any] = marshal.loads(body) if data[:1] == MARSHALLED else pickle.loads(body)
    return message


def _written(ledger: Ledger, store: ReadModelStore, progress: Callable[[int], None] | None, helper: Helper) -> int:
    """The parent's side of a rebuild with a helper: each batch the helper folded is written
    with its tracking rows in one transaction (if another process applied some of its events
    first, they are read again and applied one by one, skipping those), and a snapshot taken
    where one is due. Returns the position reached."""
    position = 0
    for kind, reached, positions, rows in helper.batches():
        if not store.commit_folded(ledger.name, positions, rows):
            wanted = set(positions)
            for at, event in ledger.read_log(positions[0], positions[-1]):
                if at in wanted:
                    store.apply_event(event, Tracking(ledger.name, at))
        position = reached
        if kind == SNAPSHOT:
            _snapshot(store, position)
        elif progress is not None:
            progress(position)
    return position


def _snapshot(store: ReadModelStore, position: int) -> None:
    """A snapshot at ``position``, with the latest decision date of the events it holds: the
    snapshot before's and those of the events since (not the whole trail again each time)."""
    before = store.snapshots(position - 1)[:1]
    start, latest = before[0] if before else (0, "")
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.max(TRAIL.c.decided))
                             .where(TRAIL.c.position > start, TRAIL.c.position <= position)).scalar()
    store.save_snapshot(position, max(latest, found or ""))


def catch_up(ledger: Ledger, store: ReadModelStore | None = None, timeout: float = 600.0, *,
             target: int | None = None, batch_size: int = BATCH_SIZE,
             progress: Callable[[int], None] | None = None) -> int:
    """Bring the read models up to ``target`` (default: the ledger's last recorded event);
    returns that position. Synchronous (:func:`advance`); ``timeout`` is kept for callers."""
    own = store is None
    store = store or ReadModelStore(ledger.database)
    try:
        target = head(ledger) if target is None else target
        if (store.max_tracking_id(ledger.name) or 0) >= target:
            return target
        advance(ledger, store, target=target, batch_size=batch_size, progress=progress)
        return target
    finally:
        if own:
            store.close()


def events(ledger: Ledger, stop: int | None = None) -> Iterator[tuple[int, Any]]:
    return ledger.read_log(1, stop)


def fold(ledger: Ledger, *, as_of: date | None = None, at_position: int | None = None,
         progress: Callable[[int], None] | None = None, report: str = "") -> tuple[MemoryState, int]:
    """Every read model computed from the log alone: all events decided on or before
    ``as_of`` and/or the first ``at_position`` recorded events; only the models ``report``
    needs when it is named. Returns the state and the last position folded. The reference
    the snapshots and the incremental models are checked against (tests, `audit replay`)."""
    only = models.FOR_REPORT[report] if report else models.MODELS
    state = models.empty_state()
    last = 0
    stop = at_position if at_position is not None else None
    if stop is not None and stop <= 0:
        return state, 0
    for position, event in events(ledger, stop):
        last = position
        if as_of is not None:
            by = getattr(event, "by", None)
            if by is not None and by.decided > as_of:
                continue
        models.apply(state, position, event, only)
        if progress is not None and position % 10000 == 0:
            progress(position)
    return state, last


RUN_GAP = 256  # positions read through rather than starting a new read


def fold_at(ledger: Ledger, store: ReadModelStore, *, as_of: date | None = None, at_position: int | None = None,
            report: str) -> tuple[MemoryState, int]:
    """The one time-travel mechanism: ``report``'s models as of a decision date and/or after
    the first N events. Starts from the latest snapshot that holds only events the answer
    includes (at or before the position, none decided after the date), then folds the
    events after it that the answer includes, found in the trail (the store must be caught
    up to the position). Equal to :func:`fold` (property-tested); the snapshot is derived
    data and never trusted by `audit verify`."""
    only = models.FOR_REPORT[report]
    limit = head(ledger) if at_position is None else min(at_position, head(ledger))
    if limit <= 0:
        return models.empty_state(), 0
    day = as_of.isoformat() if as_of is not None else None
    indexes = models.day_indexes(report)
    if day is not None and at_position is None and indexes:
        return _summed_to(store, indexes, day), limit
    start, state = 0, None
    for position, latest in store.snapshots(limit):
        if day is None or latest <= day:
            start, state = position, store.load_snapshot(position, only)
            break
    state = state or models.empty_state()
    if day is None:
        wanted: list[int] | None = None
    else:
        with store.engine.connect() as conn:
            wanted = [int(p) for (p,) in conn.execute(
                sa.select(TRAIL.c.position).where(
                    TRAIL.c.position > start, TRAIL.c.position <= limit,
                    sa.or_(TRAIL.c.decided <= day, TRAIL.c.decided == ""))
                .order_by(TRAIL.c.position))]
    for position, event in _read(ledger, start, limit, wanted):
        models.apply(state, position, event, only)
    return state, limit


def _summed_to(store: ReadModelStore, indexes: dict[Table, Table], day: str) -> MemoryState:
    """Sum tables as of ``day`` from their day indexes: one GROUP BY per table in the database
    (projections.current.Reader.summed; events without a decision date, day "", always count,
    as in :func:`fold`)."""
    state = models.empty_state()
    with store.engine.connect() as conn:
        state.rows.update(Reader.over(conn, store.database.schema).summed(indexes, day))
    return state


def _read(ledger: Ledger, start: int, limit: int, wanted: list[int] | None) -> Iterator[tuple[int, Any]]:
    """Events after ``start`` up to ``limit``: all of them, or only the ``wanted`` positions
    (read in runs, so a few scattered events cost a few reads)."""
    if wanted is None:
        yield from ledger.read_log(start + 1, limit) if start < limit else ()
        return
    i = 0
    while i < len(wanted):
        j = i
        while j + 1 < len(wanted) and wanted[j + 1] - wanted[j] <= RUN_GAP:
            j += 1
        first, last = wanted[i], wanted[j]
        keep = set(wanted[i:j + 1])
        position = first
        while position <= last:
            batch = ledger.recorder.select_notifications(start=position, limit=min(2000, last - position + 1),
                                                         stop=last)
            if not batch:
                break
            for n in batch:
                if n.id in keep:
                    yield n.id, ledger.mapper.to_domain_event(n)
            position = batch[-1].id + 1
        i = j + 1


def rebuild(ledger: Ledger, store: ReadModelStore, progress: Callable[[int], None] | None = None,
            stop: int | None = None, batch_size: int = REBUILD_BATCH, helper: bool | None = None,
            pause_seconds: float = 0.0) -> int:
    """Drop every read model and its tracking position, then fold the log again in batches
    (streaming: memory is bounded by the batch), to ``stop`` or the last recorded event;
    returns that position. ``helper``: read and fold the log in a second process while this one writes
    (default: for a large log on a machine with a second core, :func:`_helper_wanted`). A
    killed rebuild is resumed by :func:`advance` (one process) from its last batch.
    ``pause_seconds``: before each event (tests kill a rebuild mid-way)."""
    store.reset()
    target = head(ledger) if stop is None else min(stop, head(ledger))
    if target <= 0:
        return 0
    if not (_helper_wanted(ledger, target) if helper is None else helper):
        return advance(ledger, store, target=target, batch_size=batch_size, progress=progress,
                       pause_seconds=pause_seconds)
    store.batch.forget()
    helping = Helper(ledger, 0, target, snapshot_interval(ledger), batch_size, pause_seconds)
    try:
        with fewer_collections_if(True):
            return _written(ledger, store, progress, helping)
    finally:
        helping.close()


def compare(incremental: ReadModelStore, rebuilt: ReadModelStore, limit: int = 50) -> list[str]:
    """Differences between two stores' rows (empty if equal), found by streaming digests:
    only the buckets whose digests differ are read row by row."""
    a, b = incremental.digests(), rebuilt.digests()
    found: list[str] = []
    for table in models.TABLES:
        for bucket, (x, y) in enumerate(zip(a[table.name], b[table.name], strict=True)):
            if x == y:
                continue
            found += differences({table.name: incremental.bucket_rows(table, bucket)},
                                 {table.name: rebuilt.bucket_rows(table, bucket)}, limit - len(found))
            if len(found) >= limit:
                return found
    return found


def differences(incremental: Rows, rebuilt: Rows, limit: int = 50) -> list[str]:
    """Human-readable differences between two sets of read-model rows (empty if equal)."""
    found: list[str] = []
    for table in sorted(set(incremental) | set(rebuilt)):
        a, b = incremental.get(table, {}), rebuilt.get(table, {})
        for key in sorted(set(a) | set(b), key=repr):
            if a.get(key) != b.get(key):
                found.append(f"{table} {key}: incremental {_show(a.get(key))} ≠ rebuilt {_show(b.get(key))}")
                if len(found) >= limit:
                    return found
    return found


def _show(row: dict[str, Any] | None) -> str:
    if row is None:
        return "(missing)"
    return ", ".join(
        f"{k[:-4]}={from_fen(v)}" if k.endswith("_fen") and isinstance(v, int) else f"{k}={v}"
        for k, v in row.items()
    )
