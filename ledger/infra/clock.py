"""The recorded-at time of events comes from an injected clock, so tests can fix it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock that advances one second per reading, for reproducible tests."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)):
        self._now = start
        self._step = step

    def __call__(self) -> datetime:
        now = self._now
        self._now += self._step
        return now
