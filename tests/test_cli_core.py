"""The command line: one-line errors, exit codes, nothing written on refusal, repeats are no-ops."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from ledger import Ledger
from tests.posting import approver_cli

Jcg = Callable[..., Result]

REGISTER = ["party", "register", "U1", "--name", "山西师范大学", "--kind", "university",
            "--entered", "2024-12-01", "--decided", "2025-01-02", "--request-id", "reg-U1"]


def events(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return sum(1 for _ in ledger.read_log())
    finally:
        ledger.close()


def test_register_award_disburse_show(jcg: Jcg, provisioned_url: str) -> None:
    r = jcg(*REGISTER)
    assert r.exit_code == 0, r.output
    assert "registered party U1 山西师范大学" in r.output and "request id: reg-U1" in r.output
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=750万", "--basis", "contract=HT-1", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1",
            "--decided", "2025-03-01",
            "--ref", "临科发〔2025〕1号")
    assert r.exit_code == 0, r.output
    assert "award U1-A1: 150,000.00 to U1 under P2.4" in r.output
    r = jcg("grant", "disburse", "U1-A1", "--amount", "100,000.00", "--decided", "2025-03-10", "--voucher", "付-1")
    assert r.exit_code == 0 and "待审核 pending: 100,000.00 is reserved" in r.output, r.output
    r = approver_cli(provisioned_url)("payment", "post", "付-1", "--source", "市财政", "--decided", "2025-03-10")
    assert r.exit_code == 0 and "paid so far 100,000.00 of 150,000.00" in r.output, r.output
    r = jcg("grant", "show", "U1")
    assert "outstanding 50,000.00" in r.output


def test_repeating_a_request_id_changes_nothing(jcg: Jcg, ledger_url: str) -> None:
    assert jcg(*REGISTER).exit_code == 0
    before = events(ledger_url)
    r = jcg(*REGISTER)
    assert r.exit_code == 0 and "already recorded (request reg-U1)" in r.output
    assert events(ledger_url) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["grant", "award", "P2.4", "--recipient", "U1", "--amount", "-5", "--decided", "2025-03-01"], 2,
         "must be positive"),
        (["grant", "award", "P2.4", "--recipient", "U1", "--amount", "1.5e3", "--decided", "2025-03-01"], 2,
         "exponents are not accepted"),
        (["grant", "award", "P2.4", "--recipient", "U1", "--amount", "100", "--decided", "2025-13-01"], 2,
         "is not a date"),
        (["grant", "award", "P2.4", "--recipient", "U1", "--amount", "100"], 2, "Missing option '--decided'"),
        (["grant", "award", "P7.7", "--recipient", "U1", "--amount", "100", "--decided", "2025-03-01",
          "--ref", "R"], 1, "unknown clause 'P7.7'"),
        (["grant", "award", "P2.4", "--recipient", "NOPE", "--amount", "100", "--decided", "2025-03-01",
          "--ref", "R"], 1, "party NOPE is not registered"),
        (["grant", "award", "P2.4", "--recipient", "U1", "--amount", "100", "--decided", "2029-01-01",
          "--ref", "R"], 1, "outside the policy window 2024-11-05 to 2028-12-31"),
        (["grant", "disburse", "U1-A9", "--amount", "100", "--decided", "2025-03-01", "--voucher", "V"], 1,
         "party U1 has no award U1-A9"),
        ([*REGISTER[:-1], "reg-other"], 1, "party U1 is already registered"),
        ([*REGISTER[:4], "另一个名字", *REGISTER[5:]], 1, "reg-U1 was already used for a different request"),
    ],
)
def test_errors_are_one_line_with_exit_code_and_write_nothing(
    jcg: Jcg, ledger_url: str, args: list[str], code: int, message: str
) -> None:
    assert jcg(*REGISTER).exit_code == 0
    before = events(ledger_url)
    r = jcg(*args)
    assert r.exit_code == code, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    assert message in r.stderr
    assert events(ledger_url) == before


def test_every_command_has_help_with_an_example() -> None:
    import click
    from click.testing import CliRunner

    import cli

    def walk(group: click.Group, path: list[str]) -> list[list[str]]:
        found = []
        for name, cmd in group.commands.items():
            if isinstance(cmd, click.Group):
                found += walk(cmd, [*path, name])
            else:
                found.append([*path, name])
        return found

    for path in walk(cli.main, []):
        r = CliRunner().invoke(cli.main, [*path, "--help"])
        assert r.exit_code == 0, path
        assert "Example" in r.output, f"jcg {' '.join(path)} --help has no example"


def test_bad_database_url_is_a_usage_error() -> None:
    from click.testing import CliRunner

    import cli

    r = CliRunner().invoke(cli.main, ["--db", "mysql://x/y", "party", "list"])
    assert r.exit_code == 2 and "unsupported database URL" in r.stderr


@pytest.mark.parametrize("make", ["missing_dir", "not_a_database"])
def test_an_unusable_database_is_one_line_not_a_traceback(tmp_path: object, make: str) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    import cli

    path = Path(str(tmp_path)) / ("no/such/dir/l.sqlite" if make == "missing_dir" else "l.sqlite")
    if make == "not_a_database":
        path.write_text("hello")
    r = CliRunner().invoke(cli.main, ["--db", f"sqlite:///{path}", "party", "list"])
    assert r.exit_code == 1
    assert r.stderr.startswith("error: the ledger database cannot be used: ") and r.stderr.count("\n") == 1


def test_a_malformed_basis_pair_is_bad_usage(jcg: Jcg) -> None:
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value", "--decided", "2025-03-01")
    assert r.exit_code == 2 and "basis 'contract_value' is not key=value" in r.stderr


def test_an_absurdly_large_amount_is_refused_in_one_line(jcg: Jcg) -> None:
    assert jcg(*REGISTER).exit_code == 0
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=" + "9" * 29,
            "--basis", "contract=HT-9", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "R")
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "beyond any sum the ledger keeps" in r.stderr
