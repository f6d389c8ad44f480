"""Auditors who only read: every auditor command and every report on a copy they may not write
(SQLite file 0444 in a 0555 folder, run as an unprivileged user where the machine has one,
and the same copy opened ``?mode=ro``); no command but `init`/`demo` creates a database; the
CLI's fund, cap-table and funds report agree; report filters."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from tests.conftest import APPROVER, OFFICER

ROOT = Path(__file__).resolve().parent.parent
JCG = Path(sys.executable).parent / "jcg"
NOBODY = 65534

AUDITOR_COMMANDS = [
    ("audit", "verify"), ("audit", "prove", "3"), ("audit", "consistency", "2", "4", "--format", "json"), ("audit", "trail", "U1"),
    *(("report", name) for name in ("balances", "recipients", "caps", "budgets", "funds", "loans")),
    ("report", "budgets", "--as-of", "2025-06-30"), ("report", "recipients", "--at-position", "12"),
    ("report", "recipients", "--recipient", "U1", "--from", "2025-01-01", "--to", "2025-12-31"),
    ("fund", "list"), ("loan", "list"), ("party", "list"),
]


def history(jcg: Callable[..., Result]) -> None:
    steps = [
        ("party", "register", "U1", "--name", "山西师范大学", "--kind", "university", "--entered", "2024-12-01",
         "--decided", "2025-01-02"),
        ("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=5,000,000",
         "--basis", "contract=HT-1", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号"),
        ("grant", "disburse", "U1-A1", "--amount", "60000", "--decided", "2025-05-01", "--voucher", "付-1"),
        ("--officer", APPROVER, "payment", "post", "付-1", "--source", "市财政", "--decided", "2025-05-01"),
        ("grant", "disburse", "U1-A1", "--amount", "40000", "--decided", "2026-02-01", "--voucher", "付-2"),
        ("--officer", APPROVER, "payment", "post", "付-2", "--source", "市财政", "--decided", "2026-02-01"),
        ("audit", "checkpoint"),
    ]
    for step in steps:
        result = jcg(*step)
        assert result.exit_code == 0, (step, result.output, result.stderr)


def read_only_copy(url: str) -> tuple[Path, Path]:
    """The ledger copied into a fresh folder: file 0444, folder 0555 (and world-traversable)."""
    source = Path(url[len("sqlite:///"):])
    folder = Path(tempfile.mkdtemp(prefix="jcg-ro-"))
    os.chmod(folder, 0o755)
    copy = folder / "ledger.sqlite"
    conn = __import__("sqlite3").connect(source)
    try:  # a clean single file (WAL folded in), as an auditor receives it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"VACUUM INTO '{copy}'")
    finally:
        conn.close()
    os.chmod(copy, 0o444)
    os.chmod(folder, 0o555)
    return folder, copy


def can_drop_privileges() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


def test_every_auditor_command_works_on_a_copy_it_may_only_read(jcg: Callable[..., Result], provisioned_url: str,
                                                                  tmp_path: Path) -> None:
    if not provisioned_url.startswith("sqlite"):
        pytest.skip("a file copy is SQLite's; the SELECT-only PostgreSQL role: tests/test_readside.py")
    history(jcg)
    folder, copy = read_only_copy(provisioned_url)
    before = copy.read_bytes()
    cache = Path(tempfile.mkdtemp(prefix="jcg-cache-"))
    os.chmod(cache, 0o777)
    try:
        # 1. the same copy opened read-only by URL (tests run as root, whom file modes do not stop)
        env = {"XDG_CACHE_HOME": str(cache)}
        for args in AUDITOR_COMMANDS:
            result = CliRunner(env=env).invoke(cli.main, ["--db", f"sqlite:///{copy}?mode=ro", *args])
            assert result.exit_code == 0, (args, result.output, result.stderr)
        # 2. as an unprivileged user, the file modes are what stop writes
        if can_drop_privileges():
            own = Path(tempfile.mkdtemp(prefix="jcg-cache-"))  # the unprivileged user's own cache
            os.chmod(own, 0o777)
            for args in AUDITOR_COMMANDS:
                run = subprocess.run(
                    ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", str(JCG),
                     "--db", f"sqlite:///{copy}", *args],
                    cwd=str(folder), capture_output=True, text=True, timeout=120,
                    env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "JCG_LANG": "en",
                         "XDG_CACHE_HOME": str(own), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)})
                assert run.returncode == 0, (args, run.stdout, run.stderr)
            shutil.rmtree(own, ignore_errors=True)
        assert copy.read_bytes() == before, "nothing was written to the ledger"
        assert sorted(p.name for p in folder.iterdir()) == ["ledger.sqlite"], "no file beside it either"
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def test_no_command_but_init_and_demo_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    for args in (("report", "balances"), ("party", "list"), ("audit", "verify"), ("fund", "show", "F"),
                 ("party", "register", "X", "--name", "x", "--kind", "enterprise", "--entered", "2024-12-01",
                  "--decided", "2025-01-02")):
        result = CliRunner().invoke(cli.main, ["--db", f"sqlite:///{missing}", "--officer", OFFICER, *args])
        assert result.exit_code == 1, (args, result.output)
        assert "no ledger at" in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert not missing.exists(), args
    assert CliRunner().invoke(cli.main, ["--db", f"sqlite:///{missing}", "init"]).exit_code == 0
    assert missing.exists()


def test_fund_show_captable_show_and_report_funds_agree_on_the_command_line(jcg: Callable[..., Result]) -> None:
    steps = [
        ("party", "register", "E", "--name", "企业", "--kind", "enterprise", "--entered", "2024-12-01",
         "--decided", "2024-12-01"),
        ("fund", "register", "F", "--name", "基金", "--capital", "100万", "--decided", "2024-12-01"),
        ("captable", "register", "E", "--holder", "A:甲=500万", "--decided", "2024-12-02"),
        ("fund", "invest", "F", "--enterprise", "E", "--amount", "40万", "--units", "10万", "--decided", "2025-03-01"),
    ]
    for step in steps:
        result = jcg(*step)
        assert result.exit_code == 0, (step, result.output, result.stderr)
    for when in ((), ("--as-of", "2025-02-28"), ("--as-of", "2025-03-01")):
        shown = jcg("fund", "show", "F", *when)
        table = jcg("captable", "show", "E", *when)
        report = json.loads(jcg("report", "funds", "--format", "json", *when).stdout)
        fund_row = next(r for r in report["rows"] if r["fund"] == "F" and r["record"] == "fund")
        assert f"cash {int(float(fund_row['cash'])):,}" in shown.stdout.replace(".00", ""), (when, shown.stdout)
        invested = when != ("--as-of", "2025-02-28")
        assert ("holds 100,000.00 registered capital of E (1.96%)" in shown.stdout) is invested, shown.stdout
        assert ("1.96%" in table.stdout) is invested, table.stdout


def test_report_filters_narrow_in_the_database(jcg: Callable[..., Result]) -> None:
    history(jcg)
    out = json.loads(jcg("report", "recipients", "--recipient", "U1", "--year", "2025", "--format", "json").stdout)
    assert {r["recipient"] for r in out["rows"]} == {"U1"} and {r["year"] for r in out["rows"]} == {2025}
    moved = json.loads(jcg("report", "recipients", "--from", "2026-01-01", "--format", "json").stdout)
    assert [(r["disbursed"], r["awarded"]) for r in moved["rows"]] == [("40000.00", "0.00")]
    refused = jcg("report", "recipients", "--source", "市财政")
    assert refused.exit_code == 1 and "cannot be narrowed by --source" in refused.stderr
