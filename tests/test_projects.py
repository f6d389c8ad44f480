"""拨投结合 (P2.2, P6.1): the worked example end to end, the invariants, failure and reassignment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Refused
from domain.fund import Fund
from domain.ids import fund_id, project_id
from ledger import Ledger
from ledger.exchange.captable_export import export_captable
from ledger.handlers.funds import RegisterFund, load_register
from ledger.handlers.parties import RegisterParty
from ledger.handlers.projects import (
    ApproveProject,
    BuyBack,
    ConvertProject,
    FailProject,
    FinishProject,
    PayTranche,
    ReassignUnspent,
    RecordTrigger,
    RegisterHolders,
    SellStake,
)
from projections.views.projects import project_lines
from tests.builders import balances, on, setup
from tests.conftest import APPROVER
from tests.posting import paid

D = Decimal
pytestmark = [getattr(pytest.mark, "P2.2"), getattr(pytest.mark, "P6.1")]


def test_worked_example_grant_conversion_buyback(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), voucher="付-1", **on("2025-02-01")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), voucher="付-2", **on("2025-08-01")))
    b = balances(ledger)
    assert b["budget:P2.2:2025"] == D("3000000.00") and b["funding:市财政"] == D("-3000000.00")

    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    out = ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05", ref="临科发〔2026〕1号")))
    assert out.data["units"] == D("1250000.00") and out.data["premium"] == D("1750000.00")
    assert out.data["stake"] == D("0.2")
    assert any("5,000,000.00 × 3,000,000.00 / 12,000,000.00 = 1,250,000.00" in t for t in out.trace)
    table = load_register(ledger, "ENT-1").table(date(2026, 1, 5))
    assert table.registered_capital == D("6250000.00") and table.premium == D("1750000.00")
    assert table.share_of("F-SEED") == D("0.2")
    assert load_register(ledger, "ENT-1").table(date(2026, 1, 4)).share_of("F-SEED") == 0
    b = balances(ledger)
    assert b["equity:F-SEED:ENT-1"] == D("3000000.00") and b["capitalised:P2.2:2026"] == D("-3000000.00")

    out = paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2028-01-05", ref="临科发〔2028〕2号")))
    assert out.data["price"] == D("3240000.00") and out.data["gain"] == D("240000.00")
    assert out.data["stake"] == 0
    assert any("3,000,000.00 × (1 + 4% × 2 years" in t and "= 3,240,000.00" in t for t in out.trace)
    fund: Fund = ledger.aggregate(fund_id("F-SEED"))
    assert fund.cash == D("53240000.00") and fund.gains == D("240000.00") and fund.realised == D("240000.00")
    table = load_register(ledger, "ENT-1").table(date(2028, 1, 5))
    assert table.units_of("张三") == D("4250000.00") and table.registered_capital == D("6250000.00")
    b = balances(ledger)
    assert b["funding:F-SEED"] == D("53240000.00") and b["gain:F-SEED"] == D("-240000.00")
    assert "equity:F-SEED:ENT-1" not in b or b["equity:F-SEED:ENT-1"] == 0
    assert sum(b.values(), D(0)) == 0
    assert ledger.aggregate(project_id("PJ-1")).status == "exited"

    doc = export_captable(ledger, "ENT-1")
    kinds = [t["object_type"] for t in doc["transactions"]]
    assert kinds == ["TX_STOCK_ISSUANCE", "TX_STOCK_ISSUANCE", "TX_CONVERTIBLE_ISSUANCE", "TX_CONVERTIBLE_CONVERSION",
                     "TX_STOCK_ISSUANCE", "TX_STOCK_TRANSFER", "TX_STOCK_ISSUANCE"]  # + the buyer's new security


def test_buyback_in_parts_and_by_the_company(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    first = paid(ledger, BuyBack(project="PJ-1", buyer="李四", units=D("625000.00"), **on("2027-01-05")))
    assert first.data["price"] == D("1560000.00")  # 1,500,000 × 1.04
    assert first.data["stake"] == D("0.1")
    second = paid(ledger, BuyBack(project="PJ-1", buyer="ENT-1", **on("2027-07-06")))
    assert second.data["units"] == D("625000.00")
    table = load_register(ledger, "ENT-1").table(date(2027, 7, 6))
    assert table.registered_capital == D("5625000.00")  # the company's repurchase cancels its units
    assert sum(balances(ledger).values(), D(0)) == 0


def test_invariants_refuse_clearly_and_write_nothing(ledger: Ledger) -> None:
    setup(ledger, max_stake="15%", window=(1, 3), ratio="50%")
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), **on("2025-02-01")))
    with pytest.raises(Refused, match="exceeds what remains of the grant"):
        paid(ledger, PayTranche(project="PJ-1", amount=D("2000000.01"), **on("2025-03-01")))
    with pytest.raises(Refused, match="no conversion without its trigger"):
        ledger.execute(ConvertProject(project="PJ-1", **on("2025-06-01")))
    with pytest.raises(Refused, match="has not come"):
        ledger.execute(RecordTrigger(project="PJ-1", **on("2025-06-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    with pytest.raises(Refused, match="converted must not exceed disbursed"):
        ledger.execute(ConvertProject(project="PJ-1", amount=D("1000000.01"), **on("2026-01-05")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("2000000.00"), **on("2026-01-05")))
    with pytest.raises(Refused, match="above the agreed maximum 15%"):
        ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("2000000.00"), **on("2026-01-05")))  # 14.29 %
    with pytest.raises(Refused, match="outside the agreed window 2027-01-05 to 2029-01-05"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2026-06-01")))
    with pytest.raises(Refused, match="outside the agreed window"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2029-01-06")))
    with pytest.raises(Refused, match=r"the fund holds 833,333\.33"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("900000"), **on("2027-06-01")))
    with pytest.raises(Refused, match="at most 50% of the stake"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2027-06-01")))
    before = len(list(ledger.read_log()))
    with pytest.raises(Refused):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("500000"), **on("2027-06-01")))
    assert len(list(ledger.read_log())) == before


def test_idempotent_conversion(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    cmd = ConvertProject(project="PJ-1", request_id="conv-1", **on("2026-01-05"))
    ledger.execute(cmd)
    n = len(list(ledger.read_log()))
    again = ledger.execute(cmd)
    assert again.already_recorded and len(list(ledger.read_log())) == n


def test_failed_project_written_off_without_recovery(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    with pytest.raises(Refused, match="not recovered unless misuse is recorded"):
        ledger.execute(FailProject(project="PJ-1", reason="技术路线失败", clawback=D("100000"), **on("2026-09-01")))
    out = ledger.execute(FailProject(project="PJ-1", reason="技术路线失败", **on("2026-09-01")))
    assert out.data["loss"] == D("3000000.00")
    assert out.data["failure_ratio"] == 1 and out.data["flagged"] is True
    assert any("ABOVE the 80% tolerance" in t for t in out.trace)
    fund: Fund = ledger.aggregate(fund_id("F-SEED"))
    assert fund.losses == D("3000000.00") and fund.cash == D("50000000.00")
    b = balances(ledger)
    assert b["loss:F-SEED"] == D("3000000.00") and b.get("equity:F-SEED:ENT-1", 0) == 0
    assert sum(b.values(), D(0)) == 0
    with pytest.raises(Refused, match="is failed"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2027-06-01")))


def test_misuse_leads_to_clawback(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), **on("2025-02-01")))
    out = ledger.execute(FailProject(project="PJ-1", reason="项目终止", misuse="挪用经费",
                                     clawback=D("400000"), **on("2026-03-01")))
    assert any("clawed back" in t for t in out.trace)
    b = balances(ledger)
    assert b["revenue:returned:2026"] == D("-400000.00") and b["funding:市财政"] == D("-600000.00")
    assert sum(b.values(), D(0)) == 0


def test_financing_round_with_discount_and_sale(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(code="ENT-2", name="晋南生物", party_kind="enterprise",
                                 entered=date(2024, 12, 1), **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F-2", name="基金二", capital=D("0"), **on("2024-12-01")))
    ledger.execute(RegisterHolders(enterprise="ENT-2", holders=(("王五", "王五", D("1000000")),),
                                   **on("2024-12-02")))
    ledger.execute(ApproveProject(code="PJ-2", title="疫苗", enterprise="ENT-2", fund="F-2", amount=D("2000000"),
                                  trigger="financing", pricing="discount", discount="20%", max_stake="30%",
                                  exit_formula="principal", **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕6号")))
    paid(ledger, PayTranche(project="PJ-2", amount=D("2000000"), **on("2025-02-01")))
    with pytest.raises(Refused, match="financing round"):
        ledger.execute(RecordTrigger(project="PJ-2", **on("2025-06-01")))
    ledger.execute(RecordTrigger(project="PJ-2", investor="红杉", round_pre_money=D("10000000"),
                                 round_amount=D("5000000"), **on("2025-06-01")))
    out = ledger.execute(ConvertProject(project="PJ-2", **on("2025-06-02")))
    # pre-money 10,000,000 × 0.8 = 8,000,000; units = 1,000,000 × 2,000,000 / 8,000,000 = 250,000
    assert out.data["units"] == D("250000.00") and out.data["stake"] == D("0.2")
    sale = ledger.execute(SellStake(project="PJ-2", buyer="红杉", price=D("1500000"), **on("2025-12-01")))
    assert sale.data["gain"] == D("-500000.00")
    fund: Fund = ledger.aggregate(fund_id("F-2"))
    assert fund.losses == D("500000.00") and fund.cash == D("1500000.00")
    assert sum(balances(ledger).values(), D(0)) == 0


def test_debt_conversion(ledger: Ledger) -> None:
    setup(ledger, debt=True)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    out = ledger.execute(ConvertProject(project="PJ-1", into="debt", **on("2026-01-05")))
    assert any("into debt" in t and "5%" in t for t in out.trace)
    assert balances(ledger)["debt:F-SEED:ENT-1"] == D("3000000.00")
    with pytest.raises(Refused, match="holds no equity"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2027-06-01")))


def test_reassign_unspent_money_p6_1(ledger: Ledger) -> None:
    setup(ledger)
    ledger.execute(ApproveProject(code="PJ-B", title="后续研究", clause="P6.1", enterprise="ENT-1", fund="F-SEED",
                                  amount=D("500000"), trigger="date", trigger_on=date(2026, 6, 1),
                                  pricing="fixed", pre_money=D("20000000"), max_stake="10%",
                                  **on("2025-03-01", actor=APPROVER, ref="临科发〔2025〕9号")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), **on("2025-02-01")))
    before = len(list(ledger.read_log()))
    with pytest.raises(Refused, match=r"PJ-1 is not finished: .*record its completion first \(acceptance date"):
        ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", amount=D("300000"), **on("2025-12-01")))
    assert len(list(ledger.read_log())) == before
    assert ledger.aggregate(project_id("PJ-1")).status == "approved"
    with pytest.raises(Refused, match="acceptance reference"):
        ledger.execute(FinishProject(project="PJ-1", **on("2025-11-20")))
    done = ledger.execute(FinishProject(project="PJ-1", **on("2025-11-20", ref="临科验〔2025〕3号")))
    assert done.data["unspent"] == D("1000000.00")
    assert ledger.aggregate(project_id("PJ-1")).status == "finished"
    with pytest.raises(Refused, match="already finished on 2025-11-20"):
        ledger.execute(FinishProject(project="PJ-1", **on("2025-11-21", ref="临科验〔2025〕4号")))
    with pytest.raises(Refused, match="before its completion"):
        ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", amount=D("300000"), **on("2025-11-19")))
    with pytest.raises(Refused, match=r"unspent fiscal money is 1,000,000\.00"):
        ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", amount=D("1000000.01"), **on("2025-12-01")))
    out = ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", amount=D("300000"), **on("2025-12-01")))
    assert out.data["amount"] == D("300000.00")
    src, dst = ledger.aggregate(project_id("PJ-1")), ledger.aggregate(project_id("PJ-B"))
    assert src.status == "finished" and dst.unconverted == D("300000.00")
    b = balances(ledger)
    assert b["project:PJ-B"] == D("300000.00") and b["project:PJ-1"] == D("-300000.00")
    with pytest.raises(Refused, match="finished"):
        paid(ledger, PayTranche(project="PJ-1", amount=D("1"), **on("2025-12-02")))


def test_a_failed_project_cannot_be_finished_and_a_converted_one_keeps_its_stake(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("2000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("1500000.00"), **on("2026-01-05")))
    ledger.execute(FinishProject(project="PJ-1", **on("2026-03-01", ref="临科验〔2026〕1号")))
    project = ledger.aggregate(project_id("PJ-1"))
    assert project.status == "converted" and project.finished_on == date(2026, 3, 1)
    assert any("finished (accepted) 2026-03-01, acceptance 临科验〔2026〕1号" in line for line in project_lines(project))
    with pytest.raises(Refused, match="no further tranche"):
        paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), **on("2026-03-02")))
    # the stake is still held and bought back at the formula
    out = paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on("2028-01-05")))
    assert out.data["units"] == D("625000.00")

    ledger.execute(ApproveProject(code="PJ-X", title="失败项目", enterprise="ENT-1", fund="F-SEED",
                                  amount=D("100000"), trigger="date", trigger_on=date(2025, 12, 31),
                                  pricing="fixed", pre_money=D("10000000"), max_stake="20%",
                                  **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕7号")))
    ledger.execute(FailProject(project="PJ-X", reason="技术路线失败", **on("2025-06-01")))
    before = len(list(ledger.read_log()))
    with pytest.raises(Refused, match="PJ-X failed: a failed project is written off, not finished"):
        ledger.execute(FinishProject(project="PJ-X", **on("2025-07-01", ref="临科验〔2025〕9号")))
    assert len(list(ledger.read_log())) == before


def two_enterprises(ledger: Ledger, *, pricing: str = "fixed", max_stake: str = "20%") -> None:
    """ENT-A (converted in parts, PJ-A) and ENT-B (converted at once, PJ-B): the same capital and terms."""
    ledger.execute(RegisterFund(code="F-SEED", name="临汾市天使投资基金", capital=D("50000000.00"),
                                **on("2024-12-01")))
    for ent, code in (("ENT-A", "PJ-A"), ("ENT-B", "PJ-B")):
        ledger.execute(RegisterParty(code=ent, name=f"{ent} 公司", party_kind="enterprise",
                                     entered=date(2024, 12, 1), **on("2024-12-01")))
        ledger.execute(RegisterHolders(enterprise=ent, holders=(("张三", "张三", D("3000000")),
                                                                ("李四", "李四", D("2000000"))),
                                       **on("2024-12-02")))
        fixed = {"trigger": "date", "trigger_on": date(2025, 12, 31), "pricing": "fixed",
                 "pre_money": D("12000000.00")}
        by_round = {"trigger": "financing", "pricing": pricing, **({"discount": "20%"} if pricing == "discount"
                                                                  else {})}
        ledger.execute(ApproveProject(
            code=code, title="高功率激光器中试", enterprise=ent, fund="F-SEED", amount=D("3000000.00"),
            max_stake=max_stake, exit_formula="interest", exit_rate="4%", window_from_years=1,
            **(fixed if pricing == "fixed" else by_round), **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕5号")))
        paid(ledger, PayTranche(project=code, amount=D("3000000.00"), **on("2025-02-01")))
        round_ = {} if pricing == "fixed" else {"investor": "红杉", "round_pre_money": D("15000000.00"),
                                                "round_amount": D("5000000.00")}
        ledger.execute(RecordTrigger(project=code, **round_, **on("2026-01-05")))
        if pricing != "fixed":  # the round's own shares are on the register before the grant converts
            ledger.execute(RegisterHolders(enterprise=ent, holders=(("红杉", "红杉", D("1666666.67")),),
                                           **on("2026-01-05")))


def holdings(ledger: Ledger, ent: str) -> tuple[Decimal, Decimal, Decimal]:
    table = load_register(ledger, ent).table(date(2026, 12, 31))
    return table.units_of("F-SEED"), table.premium, table.share_of("F-SEED")


def test_fixed_pre_money_in_two_parts_gives_the_same_stake_as_at_once(ledger: Ledger) -> None:
    """1,500,000 + 1,500,000 at pre-money 12,000,000 on 5,000,000 capital
    is 625,000 + 625,000 = 1,250,000 units = 20 %, not a refusal at 20.99 %."""
    two_enterprises(ledger)
    first = ledger.execute(ConvertProject(project="PJ-A", amount=D("1500000.00"), **on("2026-01-05")))
    assert first.data["units"] == D("625000.00") and first.data["premium"] == D("875000.00")
    second = ledger.execute(ConvertProject(project="PJ-A", amount=D("1500000.00"), **on("2026-03-01")))
    assert second.data["units"] == D("625000.00") and second.data["premium"] == D("875000.00")
    assert second.data["stake"] == D("0.2")
    assert any("price per unit = 12,000,000.00 / 5,000,000.00" in t and "= 2.4" in t for t in second.trace)
    assert any("issued now = 1,250,000.00 − 625,000.00 already issued = 625,000.00" in t for t in second.trace)
    once = ledger.execute(ConvertProject(project="PJ-B", **on("2026-01-05")))
    assert once.data["units"] == D("1250000.00") and once.data["stake"] == D("0.2")
    assert holdings(ledger, "ENT-A") == holdings(ledger, "ENT-B") == (D("1250000.00"), D("1750000.00"), D("0.2"))
    b = balances(ledger)
    assert b["equity:F-SEED:ENT-A"] == b["equity:F-SEED:ENT-B"] == D("3000000.00")
    assert b["capitalised:P2.2:2026"] == D("-6000000.00") and sum(b.values(), D(0)) == 0
    a, o = ledger.aggregate(project_id("PJ-A")), ledger.aggregate(project_id("PJ-B"))
    assert (a.units, a.premium, a.converted, a.held) == (o.units, o.premium, o.converted, o.held)


@pytest.mark.parametrize("parts", [("1000000.01", "1999999.99"), ("2.41", "1234565.49", "1765432.10")])
def test_any_split_issues_exactly_what_converting_at_once_does(ledger: Ledger, parts: tuple[str, ...]) -> None:
    two_enterprises(ledger, max_stake="25%")
    with pytest.raises(Refused, match=r"converting 0\.01 would issue no registered capital at 2\.4 a unit"):
        ledger.execute(ConvertProject(project="PJ-A", amount=D("0.01"), **on("2026-01-05")))
    for i, part in enumerate(parts):
        ledger.execute(ConvertProject(project="PJ-A", amount=D(part), **on(f"2026-0{i + 1}-05")))
    ledger.execute(ConvertProject(project="PJ-B", **on("2026-01-05")))
    assert holdings(ledger, "ENT-A") == holdings(ledger, "ENT-B")
    assert sum(balances(ledger).values(), D(0)) == 0


@pytest.mark.parametrize("pricing, units", [("round", "1000000.00"), ("discount", "1250000.00")])
def test_round_price_is_set_on_the_capital_before_the_round(ledger: Ledger, pricing: str, units: str) -> None:
    """Round pre-money 15,000,000 on 5,000,000 capital = 3 a unit (2.4 with a 20 % discount), even
    though the round's own 1,666,666.67 units are on the register when the grant converts."""
    two_enterprises(ledger, pricing=pricing, max_stake="30%")
    first = ledger.execute(ConvertProject(project="PJ-A", amount=D("1000000.00"), **on("2026-01-05")))
    assert any("/ 5,000,000.00 registered capital before the financing round" in t for t in first.trace)
    ledger.execute(ConvertProject(project="PJ-A", **on("2026-02-05")))
    once = ledger.execute(ConvertProject(project="PJ-B", **on("2026-01-05")))
    assert once.data["units"] == D(units)
    assert holdings(ledger, "ENT-A") == holdings(ledger, "ENT-B")


def test_a_back_dated_equity_transaction_says_why_and_what_to_do(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    before = len(list(ledger.read_log()))
    with pytest.raises(Refused, match=r"dated 2025-06-01 cannot be recorded after one dated 2026-01-05: it would "
                                      r"change every stake recorded since; record transactions in date order .* "
                                      r"compensating transaction dated 2026-01-05 or later"):
        ledger.execute(RegisterHolders(enterprise="ENT-1", holders=(("王五", "王五", D("1000000")),),
                                       **on("2025-06-01")))
    assert len(list(ledger.read_log())) == before
