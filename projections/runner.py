"""Running the read models: follow the ledger's log with tracking, rebuild, fold in time.

- :class:`ReadModels` is an eventsourcing ``Projection`` whose view is the
  :class:`~projections.store.ReadModelStore`; a ``ProjectionRunner`` (library machinery)
  subscribes to the ledger and feeds it events with their tracking positions.
- The library's SQLite recorder cannot be subscribed to, so the follower's ledger uses a
  recorder that polls (PostgreSQL uses the library's LISTEN/NOTIFY subscription).
- The runner follows with the ledger's own environment (database, cipher), so an encrypted
  ledger is read with its key (:func:`follower_env`).
- A follower applies one event per transaction; a catch-up and the rebuild of `audit replay`
  (drop the tables and the tracking, then catch up) let the store batch: events are folded
  in memory and committed with their tracking rows every ``batch_size`` events and on
  reaching the target position.
- :func:`fold` computes any read model as of a decision date or after the first N events,
  straight from the log, with the same model code the projection runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from eventsourcing.persistence import ListenNotifySubscription, Subscription, Tracking
from eventsourcing.projection import BaseProjectionRunner, Projection
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ledger.application import Ledger
from projections import models
from projections.state import MemoryState, Rows, from_fen
from projections.store import ReadModelStore

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


def catch_up(ledger: Ledger, store: ReadModelStore | None = None, timeout: float = 600.0, *,
             target: int | None = None, batch_size: int = BATCH_SIZE,
             progress: Callable[[int], None] | None = None) -> int:
    """Bring the read models up to ``target`` (default: the ledger's last recorded event)
    through the projection runner; returns that position."""
    own = store is None
    store = store or ReadModelStore(ledger.database)
    try:
        target = head(ledger) if target is None else target
        if (store.max_tracking_id(ledger.name) or 0) >= target:
            return target
        with start(ledger, store, batch_size=batch_size, target=target, progress=progress) as runner:
            runner.wait(target, timeout=timeout)
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
    needs when it is named. Returns the state and the last position folded."""
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


def rebuild(ledger: Ledger, store: ReadModelStore, progress: Callable[[int], None] | None = None,
            stop: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Drop every read model and its tracking position, then catch up again through the
    projection runner (batched), to ``stop`` or the last recorded event; returns that position."""
    store.reset()
    target = head(ledger) if stop is None else min(stop, head(ledger))
    if target <= 0:
        return 0
    return catch_up(ledger, store, target=target, batch_size=batch_size, progress=progress)


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
