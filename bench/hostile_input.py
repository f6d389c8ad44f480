"""The long run of the hostile-input property test (tests/test_cli_hostile_input.py).

`make test` runs it with a few dozen examples per backend; this runs it with many more
(default 400 per backend) and, in the same run, a short reference of 20 examples, and prints
examples per second of both and their ratio (a ratio far below 1 would mean the ledger slows
down as hostile attempts pile up, e.g. a refused request leaving something behind).
PostgreSQL runs too when JCG_TEST_POSTGRES_URL is set. pytest's temporary folders are its own
(removed by pytest's retention); nothing else is written.

Run: .venv/bin/python bench/hostile_input.py [EXAMPLES]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/test_cli_hostile_input.py::test_hostile_values_never_break_the_ledger"


def run(examples: int, backend: str) -> tuple[float, str]:
    env = os.environ | {"JCG_HOSTILE_EXAMPLES": str(examples)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST, "-k", backend],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
        raise SystemExit(f"{backend}: the property test failed: {last}")
    return elapsed, last


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    backends = ["sqlite"] + (["postgres"] if os.environ.get("JCG_TEST_POSTGRES_URL") else [])
    for backend in backends:
        reference, _ = run(20, backend)
        elapsed, last = run(examples, backend)
        rate_ref, rate = 20 / reference, examples / elapsed
        passed = re.search(r"\d+ passed", last)
        print(f"{backend}: {examples} hostile examples in {elapsed:.1f} s ({rate:.2f}/s), all invariants held "
              f"({passed.group(0) if passed else last}); reference 20 examples {reference:.1f} s ({rate_ref:.2f}/s); "
              f"ratio {rate / rate_ref:.2f}")


if __name__ == "__main__":
    main()
