"""A report whose models are current, read straight through the database driver
(projections.current): the command loads no SQLAlchemy and prints exactly what the read side
prints (current, --as-of from the day indexes, filters; table, JSON and CSV), on SQLite and
PostgreSQL; models behind the log go to the read side, which catches up and prints the same;
a read-only copy is read the same way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from ledger import Ledger
from projections import current
from projections.runner import head
from projections.store import ReadModelStore
from tests.conftest import OFFICER, fixed_clock
from tests.test_readside_after_write import JCG, register
from tests.test_readside_cli import history, read_only_copy

ROOT = Path(__file__).resolve().parent.parent

ASKED = [
    ("balances",), ("balances", "--format", "json"), ("balances", "--format", "csv"),
    ("balances", "--as-of", "2025-06-30"), ("balances", "--as-of", "2025-06-30", "--format", "json"),
    ("balances", "--as-of", "2026-12-31", "--format", "csv"), ("balances", "--as-of", "2024-01-01"),
    ("budgets", "--as-of", "2025-06-30"), ("budgets", "--source", "市财政", "--format", "csv"),
    ("recipients",), ("recipients", "--recipient", "U1", "--format", "json"), ("caps",), ("funds",),
    ("loans", "--format", "csv"), ("budgets", "--by", "unit"),
]


def command(url: str, *args: str) -> tuple[str, bool]:
    """`jcg report …` in a fresh process: (stdout, whether SQLAlchemy was imported)."""
    done = subprocess.run([sys.executable, "-c", JCG, "--db", url, "report", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, env={**os.environ})
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout, "sqlalchemy imported: True" in done.stderr


def through_the_read_side(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """The same report as the read side (SQLAlchemy) answers it: the driver's way is switched off."""
    with monkeypatch.context() as patch:
        patch.setattr(current, "report_rows", lambda *a, **k: None)
        result = CliRunner().invoke(cli.main, ["--db", url, "report", *args])
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def test_a_current_report_reads_through_the_driver_and_prints_what_the_read_side_prints(
        jcg: Callable[..., Result], provisioned_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    history(jcg)
    for args in ASKED:
        printed, loaded = command(provisioned_url, *args)
        assert not loaded, args
        assert printed == through_the_read_side(provisioned_url, monkeypatch, *args), args
    assert "total" in command(provisioned_url, "balances")[0]


def test_models_behind_the_log_are_caught_up_by_the_read_side_and_print_the_same(
        jcg: Callable[..., Result], provisioned_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    history(jcg)
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        register(ledger, "ENT-LATE")  # written without the after-write hook: the models lack it
        store = ReadModelStore(ledger.database)
        try:
            assert (store.max_tracking_id(ledger.name) or 0) < head(ledger)
            assert current.report_rows(provisioned_url, "balances") is None
            printed, loaded = command(provisioned_url, "balances")
            assert loaded  # the read side caught up
            assert store.max_tracking_id(ledger.name) == head(ledger)
        finally:
            store.close()
    finally:
        ledger.close()
    again, loaded = command(provisioned_url, "balances")
    assert not loaded and again == printed == through_the_read_side(provisioned_url, monkeypatch, "balances")
    parties = CliRunner().invoke(cli.main, ["--db", provisioned_url, "--officer", OFFICER, "party", "list"])
    assert "ENT-LATE" in parties.stdout


def test_a_read_only_copy_with_current_models_is_read_the_same_way(
        jcg: Callable[..., Result], provisioned_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if not provisioned_url.startswith("sqlite"):
        pytest.skip("a file copy is SQLite's")
    history(jcg)
    folder, copy = read_only_copy(provisioned_url)
    before = copy.read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    try:
        for url in (f"sqlite:///{copy}?mode=ro", f"sqlite:///{copy}"):
            for args in ASKED[:5]:
                printed, loaded = command(url, *args)
                assert not loaded, (url, args)
                assert printed == through_the_read_side(provisioned_url, monkeypatch, *args), (url, args)
        assert copy.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["ledger.sqlite"], "no file beside it"
        assert not (tmp_path / "cache").exists(), "no cache was needed"
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)
