"""拨投结合 converted into debt (P2.2): repayment with interest by the stored terms, early repayment,
default and write-off; refusals write nothing; journal postings balance (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from click.testing import Result

from domain.errors import Refused
from domain.fund import Fund
from domain.ids import fund_id, project_id
from ledger import Ledger
from ledger.handlers.projects import (
    ConvertProject,
    FailProject,
    PayTranche,
    RecordTrigger,
    RepayDebt,
    WriteOffDebt,
)
from tests.builders import balances, on, setup
from tests.conftest import APPROVER
from tests.posting import paid, second_approver_at

D = Decimal
pytestmark = [getattr(pytest.mark, "P2.2")]


def converted_into_debt(ledger: Ledger) -> None:
    """3,000,000 paid in two tranches, converted into debt at 5 % a year for 3 years on 2026-01-05."""
    setup(ledger, debt=True)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2025-02-01")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2025-08-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", into="debt", **on("2026-01-05")))


def events(ledger: Ledger) -> int:
    return sum(1 for _ in ledger.read_log())


def test_repayments_interest_first_then_early_repayment_in_full(ledger: Ledger) -> None:
    converted_into_debt(ledger)
    out = ledger.execute(RepayDebt(project="PJ-1", amount=D("1150000.00"), **on("2027-01-05", ref="还款-1")))
    assert (out.data["interest"], out.data["principal"], out.data["outstanding"]) == (
        D("150000.00"), D("1000000.00"), D("2000000.00"))
    assert "P2.2: interest = 3,000,000.00 × 5% × 1 years from 2026-01-05 to 2027-01-05 = 150,000.00" in out.trace
    b = balances(ledger)
    assert b["debt:F-SEED:ENT-1"] == D("2000000.00") and b["interest:F-SEED"] == D("-150000.00")
    assert b["funding:F-SEED"] == D("51150000.00")

    # less than the interest due: all of it is interest, the rest is carried
    out = ledger.execute(RepayDebt(project="PJ-1", amount=D("20000.00"), **on("2027-07-05")))
    # 2,000,000 × 5% × 181/365 = 49,589.04
    assert out.data["interest"] == D("20000.00") and out.data["principal"] == D("0.00")
    p = ledger.aggregate(project_id("PJ-1"))
    assert p.interest_carried == D("29589.04") and p.debt_outstanding == D("2000000.00")

    # more than is owed: refused, nothing written. Owed on 2028-01-05: 29,589.04 carried
    # + 2,000,000 × 5% × 184/366 (the year to 2028-07-05 has 29 February) = 50,273.22
    before = events(ledger)
    with pytest.raises(Refused, match=r"exceeds what is owed on 2028-01-05: principal 2,000,000\.00 \+ interest "
                                      r"79,862\.26 = 2,079,862\.26 \(repaid must not exceed outstanding\)"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("2079862.27"), **on("2028-01-05")))
    assert events(ledger) == before

    out = ledger.execute(RepayDebt(project="PJ-1", **on("2028-01-05")))  # everything, a year before maturity
    assert out.data["amount"] == D("2079862.26") and out.data["outstanding"] == D("0.00")
    assert any("early repayment in full before maturity 2029-01-05" in t for t in out.trace)
    assert any("unpaid interest carried 29,589.04 + 50,273.22 = 79,862.26 due" in t for t in out.trace)
    assert "repaid in full" in out.message
    fund: Fund = ledger.aggregate(fund_id("F-SEED"))
    assert fund.interest_income == D("249862.26") and fund.cash == D("53249862.26")
    assert fund.holdings()[("ENT-1", "debt")] == (D("0.00"), D("0.00"))
    b = balances(ledger)
    assert b.get("debt:F-SEED:ENT-1", 0) == 0 and b["interest:F-SEED"] == D("-249862.26")
    assert sum(b.values(), D(0)) == 0
    assert ledger.aggregate(project_id("PJ-1")).status == "repaid"
    with pytest.raises(Refused, match="repaid in full"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("1"), **on("2028-02-01")))


def test_no_repayment_before_conversion_or_of_equity(ledger: Ledger) -> None:
    setup(ledger, debt=True)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    before = events(ledger)
    with pytest.raises(Refused, match="no repay before conversion: the grant has not been converted into debt"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("100000"), **on("2025-06-01")))
    with pytest.raises(Refused, match="no write off before conversion"):
        ledger.execute(WriteOffDebt(project="PJ-1", reason="破产", **on("2025-06-01")))
    assert events(ledger) == before
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))  # into equity
    with pytest.raises(Refused, match="converted into equity, not debt"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("100000"), **on("2026-06-01")))


def test_refusals_and_idempotent_repayment(ledger: Ledger) -> None:
    converted_into_debt(ledger)
    with pytest.raises(Refused, match="must be positive"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("0"), **on("2026-06-01")))
    with pytest.raises(Refused, match="before the debt's last settlement"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("1000"), **on("2026-01-04")))
    cmd = RepayDebt(project="PJ-1", amount=D("500000"), request_id="repay-1", **on("2026-07-05"))
    first = ledger.execute(cmd)
    n = events(ledger)
    again = ledger.execute(cmd)
    assert again.already_recorded and events(ledger) == n
    assert ledger.aggregate(project_id("PJ-1")).debt_repaid == first.data["principal"]
    with pytest.raises(Refused, match="different request"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("500001"), request_id="repay-1", **on("2026-07-05")))


def test_default_writes_off_the_outstanding_principal(ledger: Ledger) -> None:
    converted_into_debt(ledger)
    ledger.execute(RepayDebt(project="PJ-1", amount=D("1150000.00"), **on("2027-01-05")))
    with pytest.raises(Refused, match="needs a reason"):
        ledger.execute(WriteOffDebt(project="PJ-1", reason=" ", **on("2027-06-01")))
    out = ledger.execute(WriteOffDebt(project="PJ-1", reason="企业破产清算", **on("2028-01-05")))
    assert out.data["principal"] == D("2000000.00") and out.data["loss"] == D("2000000.00")
    assert out.data["interest_forgone"] == D("100000.00")  # 2,000,000 × 5% × 1 year, never booked
    fund: Fund = ledger.aggregate(fund_id("F-SEED"))
    assert fund.losses == D("2000000.00") and fund.interest_income == D("150000.00")
    assert fund.cash == D("51150000.00")
    b = balances(ledger)
    assert b["loss:F-SEED"] == D("2000000.00") and b.get("debt:F-SEED:ENT-1", 0) == 0
    assert sum(b.values(), D(0)) == 0
    p = ledger.aggregate(project_id("PJ-1"))
    assert p.status == "defaulted" and p.debt_outstanding == 0
    with pytest.raises(Refused, match="defaulted"):
        ledger.execute(RepayDebt(project="PJ-1", amount=D("1"), **on("2028-02-01")))


def test_failed_debt_project_writes_off_what_is_still_owed(ledger: Ledger) -> None:
    converted_into_debt(ledger)
    ledger.execute(RepayDebt(project="PJ-1", amount=D("1150000.00"), **on("2027-01-05")))
    out = ledger.execute(FailProject(project="PJ-1", reason="技术路线失败", **on("2027-03-01")))
    assert out.data["loss"] == D("2000000.00")
    p = ledger.aggregate(project_id("PJ-1"))
    assert p.status == "failed" and p.debt_written_off == D("2000000.00") and p.debt_outstanding == 0
    assert sum(balances(ledger).values(), D(0)) == 0


def test_further_conversion_settles_interest_on_the_old_principal_first(ledger: Ledger) -> None:
    setup(ledger, debt=True)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", into="debt", **on("2026-01-05")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2026-03-01")))
    ledger.execute(ConvertProject(project="PJ-1", into="debt", **on("2027-01-05")))
    p = ledger.aggregate(project_id("PJ-1"))
    assert p.interest_carried == D("75000.00") and p.debt_outstanding == D("3000000.00")
    out = ledger.execute(RepayDebt(project="PJ-1", **on("2028-01-05")))
    assert out.data["interest"] == D("225000.00")  # 75,000 carried + 3,000,000 × 5% × 1
    assert out.data["amount"] == D("3225000.00")
    assert sum(balances(ledger).values(), D(0)) == 0


def test_repay_from_the_command_line(jcg: Callable[..., Result], provisioned_url: str) -> None:
    def ok(*args: str) -> str:
        r = jcg(*args)
        assert r.exit_code == 0, r.output + r.stderr
        return r.output

    ok("party", "register", "ENT-1", "--name", "临汾光电", "--kind", "enterprise", "--entered", "2024-12-01",
       "--decided", "2024-12-01")
    ok("fund", "register", "F-SEED", "--name", "天使基金", "--capital", "5000万", "--decided", "2024-12-01")
    ok("--officer", APPROVER, "project", "approve", "PJ-4", "--title", "中试", "--enterprise", "ENT-1", "--fund", "F-SEED",
       "--amount", "300万", "--trigger", "date", "--trigger-on", "2025-12-31", "--pricing", "fixed",
       "--pre-money", "1200万", "--max-stake", "25%", "--debt-rate", "5%", "--debt-years", "3",
       "--decided", "2025-01-10", "--ref", "临科发〔2025〕5号")
    ok("project", "disburse", "PJ-4", "--amount", "300万", "--voucher", "付-1", "--decided", "2025-02-01")
    ok("--officer", second_approver_at(provisioned_url), "payment", "post", "付-1", "--source", "市财政",
       "--decided", "2025-02-01")
    r = jcg("project", "repay", "PJ-4", "--amount", "10万", "--decided", "2025-06-01")
    assert r.exit_code == 1 and r.stderr.strip().splitlines() == [
        "error: project PJ-4: no repay before conversion: the grant has not been converted into debt"]
    ok("project", "trigger", "PJ-4", "--decided", "2026-01-05")
    ok("project", "convert", "PJ-4", "--into", "debt", "--decided", "2026-01-05")
    out = ok("project", "repay", "PJ-4", "--amount", "115万", "--decided", "2027-01-05", "--request-id", "r-1")
    assert "paid 1,150,000.00 to F-SEED (interest 150,000.00, principal 1,000,000.00); outstanding 2,000,000.00" in out
    again = ok("project", "repay", "PJ-4", "--amount", "115万", "--decided", "2027-01-05", "--request-id", "r-1")
    assert again.startswith("already recorded")
    assert "Example:" in ok("project", "repay", "--help") and "Example:" in ok("project", "write-off", "--help")
    out = ok("project", "write-off", "PJ-4", "--reason", "企业破产清算", "--decided", "2028-01-05")
    assert "principal 2,000,000.00" in out
    assert "outstanding 0.00" in ok("project", "show", "PJ-4")
