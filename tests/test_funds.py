"""Funds: direct investments, holdings per enterprise, and the P5.8 failure ratio flagged above 80 %."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Refused
from domain.fund import Fund, failure_tolerance
from domain.ids import fund_id
from domain.parameters import parameter_book
from ledger import Ledger
from ledger.handlers.funds import InvestDirect, RegisterFund, load_register
from ledger.handlers.parties import RegisterParty
from ledger.handlers.projects import ApproveProject, FailProject, PayTranche, RegisterHolders
from tests.conftest import APPROVER, OFFICER
from tests.posting import paid

D = Decimal
pytestmark = [getattr(pytest.mark, "P5.8")]


def fund_report(ledger: Ledger, code: str, book: object, on: date) -> list[str]:
    """What `jcg fund show CODE --as-of ON` prints: the read side's rows, the views' text."""
    from projections.readside import ReadSide
    from projections.views.funds import fund, fund_lines

    side = ReadSide(ledger)
    try:
        rows, moment = side.at("funds", as_of=on)
        return fund_lines(fund(rows, code, failure_tolerance(ledger.book, on)), moment)
    finally:
        side.close()


def on(day: str, **kw: object) -> dict[str, object]:
    return {"actor": OFFICER, "decided": date.fromisoformat(day), **kw}


def test_failure_ratio_is_flagged_above_80_percent_not_blocked(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(code="E", name="企业", party_kind="enterprise", entered=date(2024, 12, 1),
                                 **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F", name="基金", **on("2024-12-01")))
    for i in range(1, 6):
        ledger.execute(ApproveProject(code=f"P{i}", title=f"项目{i}", enterprise="E", fund="F", amount=D("100000"),
                                      max_stake="20%", **on("2025-01-10", actor=APPROVER, ref=f"临科发〔2025〕{i}号")))
        paid(ledger, PayTranche(project=f"P{i}", amount=D("100000"), **on("2025-02-01")))
    ledger.execute(ApproveProject(code="LATE", title="成长期项目", enterprise="E", fund="F", amount=D("100000"),
                                  max_stake="20%", early_stage=False, **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕9号")))
    for i in range(1, 5):
        out = ledger.execute(FailProject(project=f"P{i}", reason="失败", **on("2026-01-10")))
    assert out.data["failure_ratio"] == D("0.8") and out.data["flagged"] is False
    out = ledger.execute(FailProject(project="P5", reason="失败", **on("2026-02-10")))
    assert out.data["failure_ratio"] == 1 and out.data["flagged"] is True
    assert any("5 of 5 early-stage projects failed = 100.0%, ABOVE the 80% tolerance" in t for t in out.trace)
    ledger.execute(FailProject(project="LATE", reason="失败", **on("2026-02-11")))  # not early stage: not counted
    report = ledger.aggregate(fund_id("F")).failure_report(D("0.80"))
    assert (report.failed, report.total) == (5, 5)


def test_direct_investment_and_holdings(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(code="E", name="企业", party_kind="enterprise", entered=date(2024, 12, 1),
                                 **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F", name="基金", capital=D("1000000"), **on("2024-12-01")))
    with pytest.raises(Refused, match="no registered capital on record"):
        ledger.execute(InvestDirect(fund="F", enterprise="E", amount=D("400000"), units=D("100000"),
                                    **on("2025-03-01")))
    ledger.execute(RegisterHolders(enterprise="E", holders=(("A", "A", D("900000")),), **on("2025-01-01")))
    with pytest.raises(Refused, match="cannot invest"):
        ledger.execute(InvestDirect(fund="F", enterprise="E", amount=D("1000000.01"), units=D("100000"),
                                    **on("2025-03-01")))
    ledger.execute(InvestDirect(fund="F", enterprise="E", amount=D("400000"), units=D("100000"), **on("2025-03-01")))
    fund: Fund = ledger.aggregate(fund_id("F"))
    assert fund.cash == D("600000.00") and fund.holdings()[("E", "equity")] == (D("100000.00"), D("400000.00"))
    table = load_register(ledger, "E").table(date(2025, 3, 1))
    assert table.share_of("F") == D("0.1") and table.premium == D("300000.00")
    lines = fund_report(ledger, "F", ledger.book, date(2025, 3, 1))
    assert any("holds 100,000.00 registered capital of E (10.00%) at cost 400,000.00" in line for line in lines)


def test_fund_show_as_of_a_date_speaks_of_that_date_only(ledger: Ledger) -> None:
    """Cash, realised gains, holdings and the stake percentage all as of the same day: a later
    buyback shows in none of them."""
    from ledger.handlers.projects import BuyBack, ConvertProject, RecordTrigger

    ledger.execute(RegisterParty(code="E", name="企业", party_kind="enterprise", entered=date(2024, 12, 1),
                                 **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F", name="基金", capital=D("1000000"), **on("2024-12-01")))
    ledger.execute(RegisterHolders(enterprise="E", holders=(("A", "A", D("5000000")),), **on("2024-12-02")))
    ledger.execute(ApproveProject(code="P1", title="项目", enterprise="E", fund="F", amount=D("3000000"),
                                  trigger="date", trigger_on=date(2025, 12, 31), pricing="fixed",
                                  pre_money=D("12000000"), max_stake="25%", exit_formula="interest", exit_rate="4%",
                                  window_from_years=1, **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕5号")))
    paid(ledger, PayTranche(project="P1", amount=D("3000000"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="P1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="P1", **on("2026-01-05")))
    paid(ledger, BuyBack(project="P1", buyer="A", **on("2028-01-05")))
    before = "\n".join(fund_report(ledger, "F", ledger.book, date(2027, 1, 5)))
    assert "cash 1,000,000.00; realised gains 0.00" in before
    assert "holds 1,250,000.00 registered capital of E (20.00%) at cost 3,000,000.00" in before
    after = "\n".join(fund_report(ledger, "F", ledger.book, date(2028, 1, 5)))
    assert "cash 4,240,000.00; realised gains 240,000.00" in after and "no holdings" in after
    with pytest.raises(Refused, match="fund F is not registered at this moment"):
        fund_report(ledger, "F", ledger.book, date(2024, 11, 30))


def test_p5_8_tolerance_is_read_in_one_place() -> None:
    """The flag on an approval, the fund report and `fund show` all take P5.8's tolerance from
    domain.fund.failure_tolerance, so they cannot disagree about which version is in force."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readers = [str(path.relative_to(root)) for package in ("domain", "ledger", "projections", "commandline")
               for path in sorted((root / package).rglob("*.py"))
               if re.search(r'"P5\.8",\s*"failure_tolerance"', path.read_text(encoding="utf-8"))]
    assert readers == ["domain/fund.py"]
    assert failure_tolerance(parameter_book(), date(2025, 1, 1)) == failure_tolerance(parameter_book(), date(2000, 1, 1))
