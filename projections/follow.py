"""A projection process: follows the ledger's log and keeps the read models current.

    python -m projections.follow sqlite:///ledger.sqlite [--pause-ms N]

Runs until killed; a killed follower resumes from its last committed position.
"""

from __future__ import annotations

import argparse

from ledger import Ledger
from projections.runner import start
from projections.store import ReadModelStore


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--pause-ms", type=float, default=0.0, help="sleep before each event (tests)")
    args = parser.parse_args(argv)
    ledger = Ledger.open(args.url)  # its environment (database, cipher) is the follower's
    store = ReadModelStore(ledger.database)
    try:
        with start(ledger, store, pause_seconds=args.pause_ms / 1000) as runner:
            runner.run_forever()
    finally:
        store.close()
        ledger.close()


if __name__ == "__main__":
    main()
