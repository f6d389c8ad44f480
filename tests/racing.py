"""Officers acting at the same moment on one database: each through its own Ledger in a thread
(a barrier holds every ledger's first save until all are about to save, so the race really
happens and the losers' saves conflict and are re-run), or each a `jcg` OS process released by
one start signal once all have loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
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


# A `jcg` command in a process of its own: it loads the whole command line first, says it is ready,
# then waits for the start signal, so every process enters the command within a few milliseconds.
_JCG_AT_THE_SIGNAL = """
import os, sys, time
import cli
import commandline.grant, commandline.options, ledger.handlers.grants  # loaded before the start
open(sys.argv[1], "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.0005)
cli.main(sys.argv[3:], prog_name="jcg")
"""


@dataclass(frozen=True)
class Finished:
    """What one `jcg` process did: its exit code and output."""

    code: int
    stdout: str
    stderr: str


def race_processes(commands: list[list[str]], folder: Path, timeout: float = 120) -> list[Finished]:
    """Run each `jcg` argument list in its own OS process, released together once all are ready."""
    root = Path(__file__).resolve().parent.parent
    go = folder / "go"
    ready = [folder / f"ready-{i}" for i in range(len(commands))]
    procs = [subprocess.Popen([sys.executable, "-c", _JCG_AT_THE_SIGNAL, str(r), str(go), *args], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "JCG_DEBUG": ""})
             for r, args in zip(ready, commands, strict=True)]
    deadline = time.monotonic() + timeout
    while not all(r.exists() for r in ready):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    go.touch()
    finished = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        finished.append(Finished(p.returncode, out.decode(), err.decode()))
    return finished
