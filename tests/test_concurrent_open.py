"""Many processes opening one ledger at once (every `jcg` command opens it) never trip over
each other's table creation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPEN = "import sys; from ledger import Ledger; Ledger.open(sys.argv[1]).close()"


def test_concurrent_opens_of_a_new_ledger(ledger_url: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, ledger_url], cwd=ROOT, stderr=subprocess.PIPE)
             for _ in range(6)]
    errors = [p.communicate(timeout=60)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, "\n".join(e for e in errors if e)
