"""Running the read models: follow the ledger's log with tracking, rebuild, fold in time.

- :class:`ReadModels` is an eventsourcing ``Projection`` whose view is the
  :class:`~projections.store.ReadModelStore`; a ``ProjectionRunner`` (library machinery)
  subscribes to the ledger and feeds it events with their tracking positions.
- The library's SQLite recorder cannot be subscribed to, so the follower's ledger uses a
  recorder that polls (PostgreSQL uses the library's LISTEN/NOTIFY subscription).
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
from ledger.config import Database
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

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        if self.pause_seconds:
            time.sleep(self.pause_seconds)
        self.view.apply_event(domain_event, tracking)


def follower_env(database: Database) -> dict[str, str]:
    env = dict(database.env)
    if database.kind == "sqlite":
        env["APPLICATION_RECORDER_TOPIC"] = f"{__name__}:FollowableSQLiteRecorder"
    return env


def start(database: Database, store: ReadModelStore, pause_seconds: float = 0.0) -> BaseProjectionRunner[Ledger]:
    """Start following the ledger's log from the store's tracked position (in threads)."""
    projection = ReadModels(view=store)
    projection.pause_seconds = pause_seconds
    return BaseProjectionRunner(
        projection=projection,
        application_class=Ledger,
        tracking_recorder=store,
        topics=(),
        env=follower_env(database),
    )


def head(ledger: Ledger) -> int:
    """The position of the last recorded event (0 for an empty ledger)."""
    return ledger.recorder.max_notification_id() or 0


def catch_up(ledger: Ledger, store: ReadModelStore | None = None, timeout: float = 600.0) -> int:
    """Bring the read models up to the ledger's last recorded event; returns that position."""
    own = store is None
    store = store or ReadModelStore(ledger.database)
    try:
        target = head(ledger)
        if (store.max_tracking_id(ledger.name) or 0) >= target:
            return target
        with start(ledger.database, store) as runner:
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
            stop: int | None = None) -> int:
    """Drop and rebuild every read model from the log (one fold, one bulk write with its
    tracking position); returns the position rebuilt to."""
    state, last = fold(ledger, at_position=stop, progress=progress)
    store.replace_all(state.rows, Tracking(ledger.name, last) if last else None)
    return last


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
