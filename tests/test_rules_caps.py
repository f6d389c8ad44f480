"""Caps: formula amounts are cut, officer-decided amounts refused; annual caps net of clawbacks;
the wording of used-up caps and of a cap in a trace.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import CapExceeded
from tests.builders import (
    D,
    award,
    calc,
    covers,
    party,
    pay_and_claw_back,
)


@covers("P2.4")
def test_formula_amounts_are_still_cut_by_caps() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="20000000", contract="HT-1")  # 400,000
    assert calc("P2.4", u, contract_value="10000000", contract="HT-2").amount == D("100000.00")


@covers("P5.3", "P5.5c", "P6.3a")
@pytest.mark.parametrize(("clause", "kind", "basis", "tail"), [
    ("P5.3", "fund_manager", {"investment": "150000000", "held_since": "2024-02-28", "rate": "2%", "fund": "F1"},
     "; cap 2,000,000 one-time per fund → 2,000,000.00"),
    ("P5.5c", "enterprise", {"fees": "250000", "financing": "succeeded"}, "; cap 100,000 one-time → 100,000.00"),
    ("P6.3a", "enterprise", {"rd_investment": "9000000", "rating": "excellent"},
     "; cap 500,000 one-time → 500,000.00"),
])
def test_a_cap_per_award_shows_one_arrow(clause: str, kind: str, basis: dict[str, str], tail: str) -> None:
    p = party(kind, "Q1", entered=date(2024, 1, 2)) if clause == "P6.3a" else party(kind, "Q1")
    line = calc(clause, p, **basis).line
    assert line.endswith(tail) and line.count("→") == 1, line


@covers("P6.2", "P3.2b")
def test_used_up_messages_say_the_scope_once() -> None:
    p = party()
    award("P6.2", p, project="ZX1", national_allocation="12000000", provincial_allocation="0", performance="normal")
    with pytest.raises(CapExceeded) as refused:
        calc("P6.2", p, date(2026, 3, 1), project="ZX1", national_allocation="1000000", provincial_allocation="0", performance="normal")
    assert str(refused.value) == "P6.2: cap 600,000 per project ZX1 is used up (used 600,000.00); nothing to award"
    n = party("institute", "N1")
    award("P3.2b", n, amount="300000")
    with pytest.raises(CapExceeded) as refused:
        calc("P3.2b", n, date(2026, 3, 1), amount="1")
    assert str(refused.value).count("over the construction period") == 1


@covers("P2.4")
def test_annual_cap_used_is_net_of_clawbacks_and_the_trace_says_so() -> None:
    u = party("university", "U1")
    award("P2.4", u, contract_value="25000000", contract="HT-1")  # 500,000: the whole 2025 cap
    with pytest.raises(CapExceeded, match="used up in 2025"):
        calc("P2.4", u, contract_value="1000000", contract="HT-2")
    pay_and_claw_back(u, "U1-A1", "100000")
    e = calc("P2.4", u, contract_value="10000000", contract="HT-2")
    assert e.amount == D("100000.00")
    assert ("cap 500,000/yr for U1, used 400,000.00 net of clawbacks (500,000.00 awarded − 100,000.00 clawed "
            "back), remaining 100,000.00") in e.line
