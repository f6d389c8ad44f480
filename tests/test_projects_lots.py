"""拨投结合 (P2.2) converted in parts: each conversion is a lot with its own interest period, buyback
window and debt maturity; a sale to the team is refused (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from click.testing import Result

from domain.errors import Refused
from domain.ids import project_id
from ledger import Ledger
from ledger.handlers.projects import BuyBack, ConvertProject, PayTranche, RecordTrigger, RepayDebt, SellStake
from tests.builders import balances, on, setup
from tests.posting import paid

D = Decimal
pytestmark = [getattr(pytest.mark, "P2.2")]


def converted_twice(ledger: Ledger, into: str = "equity") -> None:
    """PJ-1: grant 300万, fixed pre-money 1200万, exit principal + 4 %, window 1–3 years, ratio 50 %;
    100万 converted on 2026-01-05 and 200万 on 2027-01-05."""
    setup(ledger, window=(1, 3), ratio="50%", debt=into == "debt")
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", into=into, amount=D("1000000.00"), **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", into=into, amount=D("2000000.00"), **on("2027-01-05")))


def events(ledger: Ledger) -> int:
    return sum(1 for _ in ledger.read_log())


def test_each_conversion_earns_interest_from_its_own_date(ledger: Ledger) -> None:
    converted_twice(ledger)
    p = ledger.aggregate(project_id("PJ-1"))
    assert [(lot["on"].isoformat(), lot["units"]) for lot in p.lots] == [
        ("2026-01-05", D("416666.67")), ("2027-01-05", D("833333.33"))]
    out = paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("300000"), **on("2028-01-05")))
    # 300,000 of 1,250,000 units = principal 720,000: a third converted 2026-01-05 (2 years),
    # two thirds 2027-01-05 (1 year): 240,000 × 1.08 + 480,000 × 1.04 (not 720,000 × 1.08 = 777,600)
    assert out.data["price"] == D("758400.00")
    assert any("100,000.00 of the 416,666.67 held from 2026-01-05 + 200,000.00 of the 833,333.33 held from "
               "2027-01-05 = 300,000.00" in t for t in out.trace)
    assert "P2.2: buyback price = 259,200.00 + 499,200.00 = 758,400.00" in out.trace
    b = balances(ledger)
    assert sum(b.values()) == 0


def test_parts_bought_back_the_same_day_add_up_to_the_whole(ledger: Ledger) -> None:
    converted_twice(ledger)
    first = paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("100000"), **on("2028-01-05")))
    second = paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("200000"), **on("2028-01-05")))
    assert first.data["price"] + second.data["price"] == D("758400.00")


def test_a_conversion_not_yet_in_its_window_cannot_be_bought_back(ledger: Ledger) -> None:
    converted_twice(ledger)
    before = events(ledger)
    with pytest.raises(Refused, match=r"only 416,666\.67 of the 1,250,000\.00 held are in their agreed window; "
                                      r"outside it: 2028-01-05 to 2030-01-05 \(conversion of 2027-01-05"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("500000"), **on("2027-06-01")))
    assert events(ledger) == before
    # what is in its window is priced from its own date: 1,000,000 × 100,000 / 416,666.67 × (1 + 4% × t)
    out = paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("100000"), **on("2028-01-05")))
    assert out.data["price"] == D("252800.00")  # 33,333.33 from the first lot, 66,666.67 from the second
    # after the first lot's window closes, only the second lot can be bought back
    with pytest.raises(Refused, match="outside it: 2027-01-05 to 2029-01-05"):
        paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("900000"), **on("2029-06-01")))


def test_a_sale_to_the_team_is_refused_and_points_to_buyback(ledger: Ledger) -> None:
    converted_twice(ledger)
    before = events(ledger)
    for buyer in ("张三", "ENT-1"):
        with pytest.raises(Refused, match=r"the team buys back at the agreed terms only: use jcg project buyback "
                                          rf"PJ-1 --buyer {buyer}"):
            ledger.execute(SellStake(project="PJ-1", buyer=buyer, price=D("1"), units=D("600000"),
                                     **on("2028-01-05")))
    assert events(ledger) == before
    out = ledger.execute(SellStake(project="PJ-1", buyer="某投资公司", price=D("1500000"), units=D("625000"),
                                   **on("2028-01-05")))
    assert out.data["units"] == D("625000.00")
    p = ledger.aggregate(project_id("PJ-1"))
    assert [lot["units"] - lot["out"] for lot in p.lots] == [D("208333.33"), D("416666.67")]


def test_debt_matures_per_conversion(ledger: Ledger) -> None:
    converted_twice(ledger, into="debt")
    out = ledger.execute(RepayDebt(project="PJ-1", amount=D("100000.00"), **on("2029-06-01")))
    assert any("overdue since maturity 2029-01-05: 1,000,000.00 principal due" in t for t in out.trace)
    out = ledger.execute(RepayDebt(project="PJ-1", **on("2029-07-01")))
    assert any("early repayment in full before maturity 2030-01-05" in t for t in out.trace)


def test_show_lists_each_conversion_with_its_date(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    converted_twice(ledger)
    r = jcg("project", "show", "PJ-1")
    assert r.exit_code == 0, r.output
    assert "converted 3,000,000.00 into equity in 2 conversion(s)" in r.output
    assert "converted 1,000,000.00 into equity on 2026-01-05: registered capital 416,666.67" in r.output
    assert "converted 2,000,000.00 into equity on 2027-01-05: registered capital 833,333.33" in r.output
    assert "into equity on 2026-01-05: registered capital 1,250,000.00" not in r.output
