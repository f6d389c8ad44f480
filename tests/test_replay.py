"""Replay: a projection process killed mid-way (SIGKILL) resumes to the same read models as
a full rebuild; `jcg audit replay` passes on a sound ledger and fails on a tampered model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from click.testing import Result

from ledger import Ledger
from ledger.handlers.grants import Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from projections.balances import BALANCES
from projections.runner import catch_up, differences, fold, head
from projections.schema import TRACKING
from projections.store import ReadModelStore
from tests.builders import record_small_history
from tests.conftest import OFFICER, fixed_clock
from tests.posting import paid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def record_many(ledger: Ledger, parties: int) -> None:
    a = {"actor": OFFICER}
    for i in range(parties):
        code = f"K{i}"
        ledger.execute(RegisterParty(code=code, name=f"企业{i}", party_kind="enterprise",
                                     entered=date(2025, 1, 1), decided=date(2025, 1, 2), **a))
        ledger.execute(AwardByRule(recipient=code, clause="P6.3b", basis={"vouchers": str(1000 + i), "voucher": f"Q-{i}"},
                                   decided=date(2025, 2, 1), ref="临科发〔2025〕5号", **a))
        paid(ledger, Disburse(recipient=code, award=f"{code}-A1", amount=Decimal(500), decided=date(2025, 3, 1), **a))


def test_killed_projection_process_resumes_to_the_rebuilt_state(provisioned_url: str) -> None:
    ledger_url = provisioned_url
    ledger = Ledger.open(ledger_url, clock=fixed_clock())
    store = ReadModelStore(ledger.database)
    try:
        record_many(ledger, 15)  # 90 events
        total = head(ledger)
        follower = subprocess.Popen(
            [sys.executable, "-m", "projections.follow", ledger_url, "--pause-ms", "20"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while (store.max_tracking_id(ledger.name) or 0) < 20:
                assert follower.poll() is None, follower.stderr.read().decode() if follower.stderr else ""
                assert time.monotonic() < deadline, "the follower made no progress"
                time.sleep(0.01)
        finally:
            follower.send_signal(signal.SIGKILL)
            follower.wait()
        killed_at = store.max_tracking_id(ledger.name) or 0
        assert 20 <= killed_at < total, "the kill must land mid-way"

        assert catch_up(ledger, store) == total
        assert differences(store.load(), fold(ledger)[0].rows) == []
        with store.engine.connect() as conn:
            tracked = conn.execute(sa.select(TRACKING.c.notification_id)).scalars().all()
        assert sorted(tracked) == list(range(1, total + 1)), "every event tracked exactly once"
    finally:
        store.close()
        ledger.close()


def test_audit_replay_passes_and_reports_progress(jcg: Callable[..., Result], provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    base = record_small_history(ledger)
    ledger.close()
    result = jcg("audit", "replay")
    assert result.exit_code == 0, result.output
    assert f"replay of {base + 30} events equals the incremental read models" in result.stdout
    assert "rebuilding from the log" in result.stderr
    again = jcg("audit", "replay")
    assert again.exit_code == 0, again.output


def test_audit_replay_fails_on_a_tampered_read_model(jcg: Callable[..., Result], provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    record_small_history(ledger)
    store = ReadModelStore(ledger.database)
    catch_up(ledger, store)
    with store.engine.begin() as conn:
        conn.execute(sa.update(BALANCES).where(BALANCES.c.account == "funding:市财政")
                     .values(balance_fen=BALANCES.c.balance_fen + 1))
    store.close()
    ledger.close()
    result = jcg("audit", "replay")
    assert result.exit_code == 1
    assert "difference: rm_balances ('funding:市财政',): incremental balance=-134999.99 ≠ rebuilt balance=-135000.00" \
        in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: replay differs")
    assert jcg("audit", "replay").exit_code == 0, "the rebuild replaced the tampered table"


def test_followers_opened_beside_commands_never_recreate_the_tables(ledger: Ledger) -> None:
    """A follower reads the tables the ledger made; opening one must not re-run table creation
    (on PostgreSQL the library's CREATE OR REPLACE FUNCTION beside another session's fails with
    "tuple concurrently updated"). Followers start while commands are recorded in parallel."""
    import threading

    errors: list[BaseException] = []

    def follow() -> None:
        try:
            for _ in range(6):
                store = ReadModelStore(ledger.database)
                try:
                    catch_up(ledger, store, batch_size=1)
                finally:
                    store.close()
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    def write(start: int) -> None:
        try:
            for i in range(start, start + 6):
                ledger.execute(RegisterParty(code=f"C{i}", name=f"企业{i}", party_kind="enterprise",
                                             entered=date(2025, 1, 1), decided=date(2025, 1, 2), actor=OFFICER))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=follow) for _ in range(4)] + [threading.Thread(target=write, args=(0,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    store = ReadModelStore(ledger.database)
    try:
        assert catch_up(ledger, store) == head(ledger)
        assert differences(store.load(), fold(ledger)[0].rows) == []
    finally:
        store.close()
