"""The command line's boundary: loose input refused as bad usage (exit 2), files read bounded.

Each case was accepted (or hung) before: an officer name with a trailing newline made a key
file with a newline in its name; Arabic-Indic and Devanagari digits were amounts; ``1_0%``
was 10 %; ``20250101`` and ``2025-W10-1`` were dates; a loan ran 999,999,999,999 months;
``grant import /dev/zero`` and ``audit verify --checkpoint /dev/zero`` read without end and a
key file symlinked to /dev/zero hung.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ledger import Ledger
from tests.conftest import OFFICER

Jcg = Callable[..., Result]
PARTY = ("--name", "高校", "--kind", "university", "--entered", "2024-12-01", "--decided", "2025-01-02")


def log_size(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return max((position for position, _ in ledger.read_log()), default=0)
    finally:
        ledger.close()


def bad_usage(jcg: Jcg, url: str, *args: str) -> Result:
    before = log_size(url)
    r = jcg(*args)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == 2, r.output + r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert log_size(url) == before
    return r


@pytest.fixture
def awarded(jcg: Jcg) -> Jcg:
    for args in (("party", "register", "U1", *PARTY),
                 ("party", "register", "B1", "--name", "银行", "--kind", "bank", "--entered", "2024-12-01",
                  "--decided", "2025-01-02"),
                 ("party", "register", "E1", "--name", "企业", "--kind", "enterprise", "--entered", "2024-12-01",
                  "--decided", "2025-01-02"),
                 ("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=1000000",
                  "--basis", "contract=H1", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号")):
        r = jcg(*args)
        assert r.exit_code == 0, r.output + r.stderr
    return jcg


def test_an_officer_name_with_a_newline_is_refused_and_makes_no_key_file(jcg: Jcg, provisioned_url: str,
                                                                        key_dir: Path) -> None:
    from tests.conftest import APPROVER

    before = sorted(os.listdir(key_dir))
    r = jcg("--officer", APPROVER, "officer", "add", "wang\n", "--role", "auditor")
    assert r.exit_code == 2, r.output
    assert sorted(os.listdir(key_dir)) == before


@pytest.mark.parametrize("amount", ["٥٠٠", "५००", "1_000", "๕๐๐", "500\n"])
def test_amounts_in_other_digits_are_refused(awarded: Jcg, provisioned_url: str, amount: str) -> None:
    bad_usage(awarded, provisioned_url, "grant", "disburse", "U1-A1", "--amount", amount, "--decided", "2025-03-10",
              "--voucher", "付-1")


def test_full_width_amounts_and_chinese_dates_are_accepted(awarded: Jcg) -> None:
    r = awarded("grant", "disburse", "U1-A1", "--amount", "１万", "--decided", "2025年3月10日", "--voucher", "付-1")
    assert r.exit_code == 0, r.output + r.stderr
    assert "10,000.00" in r.output
    r = awarded("grant", "disburse", "U1-A1", "--amount", "1万", "--decided", "2025/3/11", "--voucher", "付-2")
    assert r.exit_code == 0, r.output + r.stderr


@pytest.mark.parametrize("decided", ["20250301", "2025-W10-1", "2025-060", "2025.3.1", "2025-03-01\n"])
def test_loose_dates_are_refused(awarded: Jcg, provisioned_url: str, decided: str) -> None:
    bad_usage(awarded, provisioned_url, "grant", "disburse", "U1-A1", "--amount", "100", "--decided", decided,
              "--voucher", "付-3")


def test_a_rate_with_an_underscore_is_refused(awarded: Jcg, provisioned_url: str) -> None:
    """`1_0%` was read as 10 %."""
    from commandline.options import RateType

    with pytest.raises(Exception, match="not a rate"):
        RateType().convert("1_0%", None, None)
    r = bad_usage(awarded, provisioned_url, "project", "approve", "PJ1", "--title", "T", "--enterprise", "E1",
                  "--fund", "F1", "--amount", "300万", "--max-stake", "1_0%", "--decided", "2025-03-01")
    assert "not a rate" in r.output + r.stderr or "1_0%" in r.output + r.stderr


@pytest.mark.parametrize("term", ["999999999999", "0", "361", "1_2", "١٢"])
def test_loan_terms_are_bounded(awarded: Jcg, provisioned_url: str, term: str) -> None:
    bad_usage(awarded, provisioned_url, "loan", "enrol", "L1", "--bank", "B1", "--borrower", "E1",
              "--category", "P5.6a", "--principal", "100万", "--start", "2025-03-01", "--term", term,
              "--decided", "2025-03-01")


@pytest.mark.parametrize("code", ["U2\u200b", "U2\u202e", "U2\n", "U" * 300], ids=["zero-width", "bidi", "newline", "long"])
def test_hidden_or_long_codes_are_bad_usage(jcg: Jcg, provisioned_url: str, code: str) -> None:
    r = bad_usage(jcg, provisioned_url, "party", "register", code, *PARTY)
    assert len(r.stderr.strip().splitlines()) == 1


# bounded reads ----------------------------------------------------------------------------------


def run_jcg(url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A real process: a read without end would run into the timeout instead of hanging the suite."""
    return subprocess.run([sys.executable, "-c", "import cli; cli.run()", "--db", url, "--officer", OFFICER, *args],
                          capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


@pytest.mark.parametrize("args", [("grant", "import", "/dev/zero"), ("audit", "verify", "--checkpoint", "/dev/zero"),
                                  ("audit", "consistency", "/dev/zero", "1")], ids=["import", "verify", "consistency"])
def test_dev_zero_is_refused_at_once(provisioned_url: str, args: tuple[str, ...]) -> None:
    r = run_jcg(provisioned_url, *args)
    assert r.returncode in (1, 2), r.stdout + r.stderr
    assert "not a regular file" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_fifo_is_refused_without_blocking(provisioned_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    r = run_jcg(provisioned_url, "grant", "import", str(fifo))
    assert r.returncode == 1 and "not a regular file" in r.stderr


def test_a_key_file_symlinked_to_dev_zero_fails_fast(provisioned_url: str, key_dir: Path) -> None:
    key_file = next(p for p in key_dir.iterdir() if p.name.startswith(OFFICER))
    key_file.unlink()
    key_file.symlink_to("/dev/zero")
    r = run_jcg(provisioned_url, "party", "register", "U1", *PARTY)
    assert r.returncode == 1, r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_bounded_read_refuses_a_file_over_its_limit(tmp_path: Path) -> None:
    from domain.errors import Refused
    from ledger.infra.files import read_bounded, read_text_bounded

    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 1025)
    assert read_bounded(path, 1025) == b"x" * 1025
    with pytest.raises(Refused, match="larger than 1 KiB"):
        read_bounded(path, 1024)
    path.write_bytes(b"ok\n\xff\xfe")
    with pytest.raises(Refused, match=r"not UTF-8 text \(line 2\)"):
        read_text_bounded(path, 1024)
    with pytest.raises(Refused, match="no such file"):
        read_bounded(tmp_path / "missing.csv", 1024)
    (tmp_path / "link.csv").symlink_to(path)  # a symlink to a regular file is read (the target is checked)
    assert read_bounded(tmp_path / "link.csv", 1024) == b"ok\n\xff\xfe"


@pytest.mark.parametrize("args", [("audit", "trail", "U1\x00"), ("report", "recipients", "--recipient", "U1\x00"),
                                  ("report", "budgets", "--source", "市\u202e"), ("party", "show", "U1\n")],
                         ids=["trail", "recipient-filter", "source-filter", "show"])
def test_read_arguments_are_typed_too(jcg: Jcg, provisioned_url: str, args: tuple[str, ...]) -> None:
    """A NUL in a looked-up value reached PostgreSQL and escaped as a DataError."""
    bad_usage(jcg, provisioned_url, *args)


def test_the_acting_officer_is_typed_too(jcg: Jcg, provisioned_url: str) -> None:
    """--officer / $JCG_OFFICER with a newline or a zero-width space is bad usage, not an actor."""
    for officer in ("officer-1\n", "officer-1\u200b"):
        r = bad_usage(jcg, provisioned_url, "--officer", officer, "party", "register", "U9", *PARTY)
        assert "officer name" in r.stderr
