"""Read models on a ledger encrypted at rest (JCG_CIPHER_KEY): the follower reads the log
with the ledger's own cipher, so reports, `audit replay` and `audit trail` work as on a
plain ledger (both databases)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from ledger import Ledger
from ledger.infra.cipher import new_cipher_key
from projections.runner import catch_up, differences, fold, follower_env
from projections.store import ReadModelStore
from tests.builders import record_small_history
from tests.conftest import OFFICER, fixed_clock, provision_officers


@pytest.fixture
def encrypted_url(ledger_url: str, key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("JCG_CIPHER_KEY", new_cipher_key())
    provision_officers(ledger_url)
    yield ledger_url


@pytest.fixture
def history(encrypted_url: str) -> int:
    ledger = Ledger.open(encrypted_url, clock=fixed_clock())
    try:
        raw = b"".join(bytes(n.state) for n in ledger.recorder.select_notifications(start=1, limit=10))
        assert b"officer-1" not in raw, "the log is encrypted at rest"
        return record_small_history(ledger)
    finally:
        ledger.close()


@pytest.fixture
def jcg(encrypted_url: str) -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.main, ["--db", encrypted_url, "--officer", OFFICER, *args])

    return invoke


def test_follower_uses_the_ledgers_cipher(encrypted_url: str) -> None:
    ledger = Ledger.open(encrypted_url, clock=fixed_clock())
    try:
        env = follower_env(ledger)
        assert env["CIPHER_TOPIC"] == ledger.env["CIPHER_TOPIC"]
        assert env["CIPHER_KEY"] == ledger.env["CIPHER_KEY"]
    finally:
        ledger.close()


def test_incremental_equals_fold_on_an_encrypted_ledger(encrypted_url: str, history: int) -> None:
    ledger = Ledger.open(encrypted_url, clock=fixed_clock())
    store = ReadModelStore(ledger.database)
    try:
        assert catch_up(ledger, store) == history + 30
        assert differences(store.load(), fold(ledger)[0].rows) == []
    finally:
        store.close()
        ledger.close()


def test_reports_replay_and_trail_on_an_encrypted_ledger(jcg: Callable[..., Result], history: int) -> None:
    balances = jcg("report", "balances", "--format", "json")
    assert balances.exit_code == 0, balances.output
    assert json.loads(balances.stdout)["totals"] == [{"account": "total", "title": "", "debit": "140000.00",
                                                      "credit": "140000.00"}]
    caps = jcg("report", "caps")
    assert caps.exit_code == 0, caps.output
    replay = jcg("audit", "replay")
    assert replay.exit_code == 0, replay.output
    assert f"replay of {history + 30} events equals the incremental read models" in replay.stdout
    trail = jcg("audit", "trail", "U1-A1", "--format", "json")
    assert trail.exit_code == 0, trail.output
    assert [r["event"] for r in json.loads(trail.stdout)["rows"]] == [
        "AwardGranted", "PaymentOrdered", "Ordered", "Posted", "Disbursed", "PaymentOrdered", "Ordered", "Posted",
        "Disbursed", "ClawedBack"]
