"""Two officers acting at the same moment, each through its own Ledger on one database: a
barrier holds every ledger's first save until all are about to save, so the race really
happens and the losers' saves conflict and are re-run."""

from __future__ import annotations

import threading
from typing import Any

from ledger import Ledger
from ledger.commands import Command, Outcome
from tests.conftest import fixed_clock


class RacingLedger(Ledger):
    """A ledger whose first save waits until the other officers are about to save too."""

    name = Ledger.name  # the same tables as the ledger
    barrier: threading.Barrier
    saves = 0

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        self.saves += 1
        if self.saves == 1:
            self.barrier.wait(timeout=20)
        return super().save(*objs, **kwargs)


def race(url: str, commands: list[Any]) -> tuple[list[Outcome | Exception], list[int]]:
    """Run each command on its own ledger at once; the results and how often each ledger saved."""
    barrier = threading.Barrier(len(commands))
    apps: list[RacingLedger] = []
    for _ in commands:
        app = RacingLedger.open(url, clock=fixed_clock())
        app.barrier = barrier
        apps.append(app)
    results: list[Outcome | Exception] = [Exception("not run")] * len(commands)

    def run(i: int, command: Command) -> None:
        try:
            results[i] = apps[i].execute(command)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(commands)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    saves = [a.saves for a in apps]
    for a in apps:
        a.close()
    return results, saves
