"""The command line of payment orders and corrections: references required, `--format json`
outcomes, `payment post` by a second person, `grant void`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from click.testing import CliRunner, Result

import cli
from ledger import Ledger
from tests.conftest import APPROVER


def setup(jcg: Callable[..., Result]) -> None:
    assert jcg("party", "register", "U1", "--name", "山西师范大学", "--kind", "university", "--entered", "2024-12-01",
               "--decided", "2025-01-02").exit_code == 0
    out = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=1000万",
              "--basis", "contract=HT-1", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕12号")
    assert out.exit_code == 0, out.output


def as_approver(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli.main, ["--db", url, "--officer", APPROVER, *args])


def test_a_disbursement_order_its_repeat_and_its_posting_in_json(jcg: Callable[..., Result],
                                                                  provisioned_url: str) -> None:
    setup(jcg)
    order = jcg("grant", "disburse", "U1-A1", "--amount", "5万", "--voucher", "付-2025-050", "--decided", "2025-03-15",
                "--format", "json")
    assert order.exit_code == 0, order.output
    data = json.loads(order.stdout)
    assert data["recorded"] is True and data["kind"] == "grant.disburse" and isinstance(data["position"], int)
    assert data["data"] == {"award": "U1-A1", "payment": "付-2025-050", "source": "市财政", "status": "pending",
                            "amount": "50000.00", "operation": "grant.disburse"}
    again = jcg("grant", "disburse", "U1-A1", "--amount", "50,000", "--voucher", "付-2025-050",
                "--decided", "2025-03-15", "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["already_recorded"] is True
    other = jcg("grant", "disburse", "U1-A1", "--amount", "6万", "--voucher", "付-2025-050", "--decided", "2025-03-15")
    assert other.exit_code == 1 and "is already used by an earlier record" in other.stderr
    mine = jcg("payment", "post", "付-2025-050", "--source", "市财政", "--decided", "2025-03-16")
    assert mine.exit_code == 1 and "posting a payment order needs an approver" in mine.stderr
    assert "付-2025-050" in jcg("payment", "pending").stdout
    posted = as_approver(provisioned_url, "payment", "post", "付-2025-050", "--source", "市财政",
                         "--decided", "2025-03-16", "--format", "json")
    assert posted.exit_code == 0, posted.output
    body = json.loads(posted.stdout)
    assert body["data"]["status"] == "posted" and "paid so far 50,000.00 of 200,000.00" in body["message"]
    assert body["position"] > data["position"]
    assert "no pending payment orders" in jcg("payment", "pending").stdout


def test_references_and_decision_references_are_required_in_help(jcg: Callable[..., Result]) -> None:
    setup(jcg)
    missing = jcg("grant", "disburse", "U1-A1", "--amount", "5万", "--decided", "2025-03-15")
    assert missing.exit_code == 2 and "--voucher" in missing.output
    for group, command, option in (("grant", "void", "--ref"), ("grant", "award", "--ref"),
                                   ("loan", "repay", "--receipt"), ("project", "buyback", "--receipt")):
        shown = jcg(group, command, "--help").stdout
        entries = re.split(r"\n\s+(?=-)", shown)  # one entry per option, its help wrapped below it
        entry = next(e for e in entries if e.startswith(option + " "))
        assert "[required]" in " ".join(entry.split()), (command, entry)


def test_grant_void_releases_the_unpaid_part(jcg: Callable[..., Result]) -> None:
    setup(jcg)
    out = jcg("grant", "void", "U1-A1", "--reason", "合同金额录入错误", "--decided", "2025-04-01",
              "--ref", "临科发〔2025〕30号", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["data"] == {"award": "U1-A1", "voided": "200000.00", "paid": "0.00"}
    caps = json.loads(jcg("report", "caps", "--format", "json").stdout)
    p24 = next(r for r in caps["rows"] if r["clause"] == "P2.4" and r["recipient"] == "U1")
    assert (p24["used"], p24["remaining"]) == ("0.00", "500000.00")


def test_payment_post_in_a_fresh_process_loads_what_posts_the_order(jcg: Callable[..., Result],
                                                                     provisioned_url: str) -> None:
    """`jcg payment post` as its own process has imported no money command: the poster of the order's
    operation is loaded by name (it was a KeyError traceback)."""
    import subprocess
    import sys
    from pathlib import Path

    setup(jcg)
    assert jcg("grant", "disburse", "U1-A1", "--amount", "5万", "--voucher", "付-2025-060", "--decided",
               "2025-03-15").exit_code == 0
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", "import cli; cli.run()", "--db", provisioned_url, "--officer", APPROVER,
                           "payment", "post", "付-2025-060", "--source", "市财政", "--decided", "2025-03-16"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "paid so far 50,000.00 of 200,000.00" in done.stdout


def test_payment_reverse_and_withdraw_claim_at_the_command_line(ledger: Ledger, jcg: Callable[..., Result],
                                                                provisioned_url: str) -> None:
    """The corrections of a loan's steps as an approver types them, in JSON; the reports (read models kept
    current by the command that wrote) show exactly what was released."""
    from datetime import date as day
    from decimal import Decimal as D

    from ledger.handlers.loans import ApproveCompensation, ClaimCompensation, PayCompensation
    from tests.builders import approval, defaulted_loan, on, run
    from tests.posting import paid

    defaulted_loan(ledger)
    run(ledger, ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ledger, ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕9号")))
    for who, voucher in (("省财政", "省付-1"), ("市财政", "市付-1")):
        paid(ledger, PayCompensation(code="L1", payer=who, voucher=voucher, amount=D("116666.67"),
                                     actor="officer-1", decided=day(2026, 4, 1)))

    def loans() -> dict[str, dict[str, str]]:
        rows = json.loads(jcg("report", "loans", "--format", "json").stdout)["rows"]
        return {r["bearer"] or "loan": r for r in rows if r["loan"] == "L1"}

    assert (loans()["省财政"]["paid"], loans()["省财政"]["owed"]) == ("116666.67", "0.00")
    missing = as_approver(provisioned_url, "payment", "reverse", "省付-1", "--source", "省财政", "--reason", "重复录入",
                          "--decided", "2026-05-01")
    assert missing.exit_code == 1 and "a reversal needs a decision reference (文号)" in missing.stderr
    mine = jcg("payment", "reverse", "省付-1", "--source", "省财政", "--reason", "重复录入", "--decided", "2026-05-01",
               "--ref", "临财〔2026〕冲1号")
    assert mine.exit_code == 1 and "needs an approver" in mine.stderr
    out = as_approver(provisioned_url, "payment", "reverse", "省付-1", "--source", "省财政", "--reason", "重复录入",
                      "--decided", "2026-05-01", "--ref", "临财〔2026〕冲1号", "--format", "json")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["kind"] == "payment.reverse" and isinstance(body["position"], int)
    assert body["data"] | {"paid": "0.00"} == {"loan": "L1", "paid": "0.00", "payment": "省付-1", "source": "省财政",
                                                 "status": "reversed", "amount": "116666.67", "operation": "loan.pay",
                                                 "reversed": "116666.67"}
    assert (loans()["省财政"]["paid"], loans()["省财政"]["owed"]) == ("0.00", "116666.67")
    assert as_approver(provisioned_url, "payment", "reverse", "市付-1", "--source", "市财政", "--reason", "重复录入",
                       "--decided", "2026-05-01", "--ref", "临财〔2026〕冲2号").exit_code == 0
    out = as_approver(provisioned_url, "loan", "withdraw-claim", "L1", "--reason", "损失金额录入错误", "--decided",
                      "2026-05-02", "--ref", "临财金〔2026〕10号", "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["data"] == {"loan": "L1", "省财政": "116666.67", "市财政": "116666.67"}
    shown = loans()
    assert shown["loan"]["status"] == "loss declared" and shown["省财政"]["share"] == "0.00", shown
    budgets = json.loads(jcg("report", "budgets", "--format", "json").stdout)["rows"]
    line = next(r for r in budgets if r["year"] == 2026 and r["source"] == "省财政")
    assert (line["committed"], line["paid"]) == ("0.00", "0.00")
    trail = jcg("audit", "trail", "L1").stdout
    assert trail.index("CompensationPaid") < trail.index("PaymentReversed") < trail.index("ClaimWithdrawn")
