"""`jcg loan …` as an officer runs it: explained outcomes, one-line refusals, idempotent reruns."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from tests.conftest import APPROVER, OFFICER

Jcg = Callable[..., Result]


def ok(jcg: Jcg, *args: str) -> str:
    result = jcg(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def refused(jcg: Jcg, *args: str) -> str:
    result = jcg(*args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def setup_default(jcg: Jcg) -> None:
    ok(jcg, "party", "register", "BANK-JS", "--name", "晋商银行临汾分行", "--kind", "bank",
       "--entered", "2024-11-06", "--decided", "2024-11-06")
    ok(jcg, "party", "register", "ENT-7", "--name", "临汾新材料科技有限公司", "--kind", "enterprise",
       "--entered", "2024-11-06", "--decided", "2024-11-06")
    ok(jcg, "loan", "enrol", "L1", "--bank", "BANK-JS", "--borrower", "ENT-7", "--category", "P5.6a",
       "--principal", "50万", "--start", "2025-01-10", "--term", "24", "--decided", "2025-01-08")
    ok(jcg, "loan", "disburse", "L1", "--amount", "500,000.00", "--decided", "2025-01-10")
    ok(jcg, "loan", "repay", "L1", "--amount", "166,666.67", "--receipt", "晋商回-1", "--decided", "2025-07-10")
    ok(jcg, "loan", "default", "L1", "--reason", "逾期90天", "--decided", "2025-10-10")
    out = ok(jcg, "loan", "default", "L1", "--loss", "333,333.33", "--decided", "2026-03-01")
    assert "declared recovery exhausted with a principal loss of 333,333.33" in out


def test_the_whole_lifecycle_from_the_command_line(jcg: Jcg) -> None:
    setup_default(jcg)
    assert "principal" in refused(jcg, "loan", "claim", "L1", "--basis", "interest", "--decided", "2026-03-10")
    out = ok(jcg, "loan", "claim", "L1", "--decided", "2026-03-10", "--request-id", "claim-L1")
    assert ("P5.6a: 省财政 35% × 333,333.33 = 116,666.67; 市财政 35% × 333,333.33 = 116,666.67; "
            "bank 333,333.33 − 233,333.34 = 99,999.99 (the remainder) → 省财政 116,666.67, 市财政 116,666.67, "
            "bank 99,999.99") in out
    again = ok(jcg, "loan", "claim", "L1", "--decided", "2026-03-10", "--request-id", "claim-L1")
    assert again.startswith("already recorded (request claim-L1)") and "nothing written" in again
    assert "already claimed" in refused(jcg, "loan", "claim", "L1", "--decided", "2026-03-11")

    assert refused(jcg, "loan", "approve", "L1", "--decided", "2026-03-20", "--ref", "临财金〔2026〕9号") == (
        f"error: {OFFICER} is an officer; approving a P5.6 claim needs an approver")
    out = ok(jcg, "--officer", APPROVER, "loan", "approve", "L1", "--decided", "2026-03-20", "--ref", "临财金〔2026〕9号")
    assert f"approved (临财金〔2026〕9号) by {APPROVER}, claim filed by {OFFICER}" in out
    assert "exceeds what was approved" in refused(jcg, "loan", "pay", "L1", "--payer", "省财政", "--amount",
                                                  "116,666.68", "--voucher", "省付-0", "--decided", "2026-04-01")
    # each payment: the officer's order (待审核), then the approver's posting (已拨付)
    ok(jcg, "loan", "pay", "L1", "--payer", "省财政", "--voucher", "省付-1", "--decided", "2026-04-01")
    ok(jcg, "--officer", APPROVER, "payment", "post", "省付-1", "--source", "省财政", "--decided", "2026-04-01")
    ok(jcg, "loan", "pay", "L1", "--payer", "市财政", "--amount", "100000", "--voucher", "付-1", "--decided", "2026-04-02")
    out = ok(jcg, "--officer", APPROVER, "payment", "post", "付-1", "--source", "市财政", "--decided", "2026-04-02")
    assert "still owes 16,666.67" in out
    assert "市财政 still owes BANK-JS 16,666.67 of 116,666.67" in refused(
        jcg, "loan", "recover", "L1", "--amount", "10,000.01", "--receipt", "晋商回-2", "--decided", "2026-09-01")
    show = ok(jcg, "loan", "show", "L1")
    rows = {line.split()[-1]: line.split() for line in show.splitlines() if line.strip().endswith(("省财政", "市财政"))}
    assert rows["市财政"][:4] == ["116,666.67", "100,000.00", "16,666.67", "0.00"]
    assert "[approved]" in show
    ok(jcg, "loan", "pay", "L1", "--payer", "市财政", "--voucher", "付-2", "--decided", "2026-04-03")
    ok(jcg, "--officer", APPROVER, "payment", "post", "付-2", "--source", "市财政", "--decided", "2026-04-03")
    out = ok(jcg, "loan", "recover", "L1", "--amount", "10,000.01", "--receipt", "晋商回-2", "--decided", "2026-09-01")
    assert "省财政 3,500.00; 市财政 3,500.00; BANK-JS 3,000.01" in out

    show = ok(jcg, "loan", "show", "L1")
    rows = {line.split()[-1]: line.split() for line in show.splitlines() if line.strip().endswith(("省财政", "市财政"))}
    assert rows["省财政"][:4] == ["116,666.67", "116,666.67", "0.00", "3,500.00"]
    assert rows["市财政"][:4] == ["116,666.67", "116,666.67", "0.00", "3,500.00"]
    assert "[recovering]" in show and "loss outstanding 323,333.32" in show
    assert f"filed by {OFFICER}, approved 2026-03-20 (临财金〔2026〕9号) by {APPROVER}" in show
    assert "L1" in ok(jcg, "loan", "list")


def test_refusals_are_one_line_and_name_the_problem(jcg: Jcg) -> None:
    assert "loan NOPE is not registered" in refused(jcg, "loan", "claim", "NOPE", "--decided", "2026-03-10")
    assert "loan NOPE is not registered" in refused(jcg, "loan", "show", "NOPE")
    setup_default(jcg)
    assert "larger than the unrepaid principal" in refused(
        jcg, "loan", "claim", "L1", "--loss", "333,333.34", "--decided", "2026-03-10")
    assert "fixed by the notice" in refused(jcg, "loan", "claim", "L1", "--province-rate", "50%",
                                            "--city-rate", "40%", "--decided", "2026-03-10")
    assert "no compensation has been claimed" in refused(jcg, "loan", "recover", "L1", "--amount", "1", "--receipt", "R",
                                                         "--decided", "2026-03-10")
    bad_rate = jcg("loan", "claim", "L1", "--province-rate", "abc", "--decided", "2026-03-10")
    assert bad_rate.exit_code == 2


def test_every_loan_command_has_an_example() -> None:
    from click.testing import CliRunner

    import cli

    runner = CliRunner()
    for name in ("enrol", "disburse", "repay", "default", "claim", "approve", "pay", "recover", "show", "list"):
        result = runner.invoke(cli.main, ["loan", name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name
