"""`jcg demo --db URL` writes over nothing it did not make (it used to delete a live ledger)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import Refused
from ledger import Ledger
from ledger.demo import OFFICER, prepare_demo_database


def log_size(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return sum(1 for _ in ledger.read_log())
    finally:
        ledger.close()


def test_a_live_ledger_is_refused_and_left_as_it_was(provisioned_url: str) -> None:
    before = log_size(provisioned_url)
    assert before > 0
    with pytest.raises(Refused, match="already holds data the demo did not make"):
        prepare_demo_database(provisioned_url)
    assert log_size(provisioned_url) == before


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"my notes, not a database")
    with pytest.raises(Refused, match="already holds data"):
        prepare_demo_database(f"sqlite:///{path}")
    assert path.read_bytes() == b"my notes, not a database"


def test_a_new_database_is_used(ledger_url: str) -> None:
    prepare_demo_database(ledger_url)  # nothing there: nothing to refuse


def test_an_earlier_demo_ledger_is_started_anew(tmp_path: Path, key_dir: Path) -> None:
    from ledger.handlers.officers import enrol

    url = f"sqlite:///{tmp_path}/demo.sqlite"
    app = Ledger.open(url)
    enrol(app, OFFICER, "approver", request_id="demo-1")
    app.close()
    prepare_demo_database(url)
    assert not (tmp_path / "demo.sqlite").exists()


def test_jcg_demo_on_a_live_ledger_exits_1_and_changes_nothing(provisioned_url: str) -> None:
    from click.testing import CliRunner

    import cli

    before = log_size(provisioned_url)
    r = CliRunner().invoke(cli.main, ["demo", "--db", provisioned_url])
    assert r.exit_code == 1, r.output
    assert "already holds data the demo did not make" in r.stderr
    assert log_size(provisioned_url) == before
