"""The cap table is a pure function of dated equity transactions: registered capital 1 unit = 1 yuan."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.captable import EquityEntry, cap_table

D = Decimal


def test_table_at_any_date() -> None:
    entries = [
        EquityEntry("issuance", date(2024, 12, 2), D("3000000.00"), holder="张三"),
        EquityEntry("issuance", date(2024, 12, 2), D("2000000.00"), holder="李四"),
        EquityEntry("issuance", date(2026, 1, 5), D("1250000.00"), holder="F", premium=D("1750000.00")),
        EquityEntry("transfer", date(2028, 1, 5), D("1250000.00"), holder="张三", seller="F",
                    price=D("3240000.00")),
    ]
    before = cap_table("E", entries, date(2026, 1, 4))
    assert before.registered_capital == D("5000000.00") and before.share_of("张三") == D("0.6")
    after = cap_table("E", entries, date(2026, 1, 5))
    assert after.share_of("F") == D("0.2") and after.premium == D("1750000.00")
    assert [h.percent for h in after.holdings] == ["48.00%", "32.00%", "20.00%"]
    exited = cap_table("E", entries, date(2030, 1, 1))
    assert exited.share_of("F") == 0 and exited.units_of("张三") == D("4250000.00")
    assert exited.registered_capital == D("6250000.00")


def test_repurchase_reduces_registered_capital() -> None:
    entries = [
        EquityEntry("issuance", date(2025, 1, 1), D("800.00"), holder="A"),
        EquityEntry("issuance", date(2025, 1, 1), D("200.00"), holder="F"),
        EquityEntry("repurchase", date(2026, 1, 1), D("200.00"), holder="F", price=D("300.00")),
    ]
    t = cap_table("E", entries, date(2026, 1, 1))
    assert t.registered_capital == D("800.00") and t.share_of("A") == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["A", "B", "C"]),
                          st.integers(min_value=1, max_value=10_000)), max_size=12))
def test_transfers_never_change_registered_capital(moves: list[tuple[str, str, int]]) -> None:
    start = date(2025, 1, 1)
    entries = [EquityEntry("issuance", start, D(5000), holder=h) for h in "ABC"]
    held = {h: D(5000) for h in "ABC"}
    for i, (seller, buyer, units) in enumerate(moves):
        if seller == buyer or D(units) > held[seller]:
            continue
        held[seller] -= units
        held[buyer] += units
        entries.append(EquityEntry("transfer", start + timedelta(days=i + 1), D(units), holder=buyer, seller=seller))
    t = cap_table("E", entries, date(2030, 1, 1))
    assert t.registered_capital == D(15000)
    assert abs(sum((h.share for h in t.holdings), D(0)) - 1) < D("1e-20")  # shares are exact fractions (thirds)
    assert sum((h.units for h in t.holdings), D(0)) == t.registered_capital
    assert all(t.units_of(h) == held[h] for h in "ABC")
