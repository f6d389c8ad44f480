"""P6 innovation (P6.2–P6.7): project caps across recipients, vouchers, incubators,
qualifications, patents per holder.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import CapExceeded, Refused
from ledger import Ledger
from ledger.handlers.rules import AwardByRule
from tests.builders import (
    D,
    award,
    awarded,
    by,
    calc,
    covers,
    external,
    log_length,
    party,
    register,
)
from tests.conftest import OFFICER


@covers("P6.2")
def test_p6_2_five_percent_capped_per_project() -> None:
    p = party()
    assert calc("P6.2", p, project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal").amount == D("500000.00")
    award("P6.2", p, project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal")
    e = calc("P6.2", p, date(2026, 3, 1), project="ZX-1", national_allocation="10000000", provincial_allocation="0", performance="normal")
    assert e.amount == D("100000.00") and "cap 600,000 per project ZX-1, used 500,000.00" in e.line
    with pytest.raises(Refused, match=r"not performing normally"):
        calc("P6.2", p, project="ZX-2", national_allocation="100", provincial_allocation="0", performance="poor")


@covers("P6.2")
def test_p6_2_project_cap_is_case_insensitive() -> None:
    p = party()
    award("P6.2", p, project="zx1", national_allocation="12000000", provincial_allocation="0", performance="normal")
    with pytest.raises(CapExceeded, match=r"cap 600,000 per project ZX1 is used up"):
        calc("P6.2", p, date(2026, 3, 1), project="ZX1", national_allocation="1000000", provincial_allocation="0", performance="normal")


@covers("P6.2")
def test_p6_2_project_cap_spans_recipients(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "I1", "institute")
    assert awarded(ledger, "E1", "P6.2", project="ZX-1", national_allocation="10000000", provincial_allocation="0",
                  performance="normal") == D("500000.00")
    # another unit on the same project: same matter and year → G.3; the project's 600,000 cap holds
    assert awarded(ledger, "I1", "P6.2", project="zx-1", national_allocation="12000000", provincial_allocation="0",
                  performance="normal") == D("100000.00")
    with pytest.raises(Refused):
        awarded(ledger, "I1", "P6.2", project="ZX-1", national_allocation="20000000", provincial_allocation="0", performance="normal")


@covers("P6.3a")
def test_p6_3a_entry_one_year_rating_and_cap() -> None:
    p = party(entered=date(2024, 3, 1))
    assert calc("P6.3a", p, rd_investment="3000000", rating="excellent").amount == D("300000.00")
    assert calc("P6.3a", p, rd_investment="9000000", rating="excellent").amount == D("500000.00")
    with pytest.raises(Refused, match=r"not excellent"):
        calc("P6.3a", p, rd_investment="3000000", rating="good")
    late = party(code="E2", entered=date(2024, 3, 2))
    with pytest.raises(Refused, match=r"eligible from 2025-03-02"):
        calc("P6.3a", late, rd_investment="3000000", rating="excellent")


@covers("P6.3b")
def test_p6_3b_vouchers_annual_cap() -> None:
    p = party()
    award("P6.3b", p, vouchers="150000", voucher="Q-1")
    assert calc("P6.3b", p, vouchers="80000", voucher="Q-2").amount == D("50000.00")
    assert calc("P6.3b", p, date(2026, 1, 2), vouchers="200000", voucher="Q-3").amount == D("200000.00")


@covers("P6.4a", "P6.4b")
def test_p6_4_incubators_and_makerspaces() -> None:
    p = party("service_org", "S1")
    assert calc("P6.4a", p, level="national", incubator="FH-1").amount == D("1000000.00")
    award("P6.4a", p, level="municipal", incubator="FH-1")
    assert calc("P6.4a", p, level="provincial", incubator="FH-1").amount == D("300000.00")  # upgrade: difference
    assert calc("P6.4a", p, level="municipal", incubator="FH-2").amount == D("200000.00")  # a second incubator
    assert calc("P6.4b", p, level="national", makerspace="ZC-1").amount == D("300000.00")
    award("P6.4b", p, level="municipal", makerspace="ZC-1")
    assert calc("P6.4b", p, level="national", makerspace="ZC-1").amount == D("100000.00")  # upgrade: difference
    with pytest.raises(Refused, match=r"G.3 .* matter P6.4b:ZC-1"):
        calc("P6.4b", p, level="provincial", makerspace="ZC-1")  # same amount: nothing more


@covers("P6.5a")
def test_p6_5a_reads_last_years_high_tech_qualification() -> None:
    p = party()
    with pytest.raises(Refused, match=r"no 高新技术企业 qualification granted in 2024"):
        calc("P6.5a", p)
    p.qualify(by(), "高新技术企业", "national", date(2024, 12, 20), date(2027, 12, 19))
    e = calc("P6.5a", p)
    assert e.amount == D("100000.00") and "高新技术企业 granted 2024-12-20" in e.line
    with pytest.raises(Refused, match=r"granted in 2025"):
        calc("P6.5a", p, date(2026, 3, 1))  # only the year after recognition


@covers("P6.5b", "P6.7")
def test_p6_5b_levels_step_up_and_p6_7_patents() -> None:
    p = party()
    p.qualify(by(date(2025, 1, 3)), "专精特新中小企业", "provincial", date(2025, 1, 3), None)
    p.qualify(by(date(2025, 1, 3)), "专精特新小巨人企业", "national", date(2025, 1, 3), None)  # the level is recorded
    award("P6.5b", p, level="provincial_specialised")
    assert calc("P6.5b", p, level="national_little_giant").amount == D("200000.00")
    award("P6.7", p, patent="ZL1", prize="shanxi")
    assert calc("P6.7", p, patent="ZL1", prize="china").amount == D("50000.00")
    with pytest.raises(Refused, match=r"G.3 .* matter P6.7:ZL1"):
        calc("P6.7", p, patent="ZL1", prize="shanxi")
    assert calc("P6.7", p, patent="ZL2", prize="china").amount == D("100000.00")


@covers("P6.7")
def test_p6_7_a_second_holder_of_the_patent_gets_nothing_once_the_highest_was_paid(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "U1", "university")
    assert awarded(ledger, "E1", "P6.7", patent="ZL1", prize="shanxi") == D("50000.00")
    assert awarded(ledger, "E1", "P6.7", date(2025, 4, 1), patent="ZL1", prize="china") == D("50000.00")
    before = log_length(ledger)
    with pytest.raises(Refused, match=r"^G.3 就高不重复: matter P6.7:ZL1 of U1 already received 100,000.00 "
                                      r"\(E1-A1 P6.7 50,000.00; E1-A2 P6.7 50,000.00\)"):
        awarded(ledger, "U1", "P6.7", patent="zl1", prize="china")
    assert log_length(ledger) == before  # nothing written


@covers("P6.7")
def test_p6_7_a_second_holder_gets_only_the_difference_up_to_the_higher_prize(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "U1", "university")
    assert awarded(ledger, "E1", "P6.7", patent="ZL2", prize="shanxi") == D("50000.00")
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 4, 1), ref="R2", recipient="U1",
                                     clause="P6.7", basis={"patent": "ZL2", "prize": "china"}))
    assert out.data["amount"] == D("50000.00")
    assert "G.3 matter P6.7:ZL2: already received 50,000.00 (E1-A1 P6.7 50,000.00), pays the difference " \
           "50,000.00" in out.trace[0]
    with pytest.raises(Refused, match=r"already received 100,000.00"):
        awarded(ledger, "E1", "P6.7", date(2025, 5, 1), patent="ZL2", prize="china")
    # another patent is another matter
    assert awarded(ledger, "U1", "P6.7", patent="ZL3", prize="china") == D("100000.00")


@covers("P6.7")
def test_p6_7_an_external_award_to_one_holder_counts_for_the_others(ledger: Ledger) -> None:
    register(ledger, "E1")
    register(ledger, "U1", "university")
    external(ledger, "E1", "P6.7", "p6.7:zl4", "80000")
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", recipient="U1",
                                     clause="P6.7", basis={"patent": "ZL4", "prize": "china"}))
    assert out.data["amount"] == D("20000.00")
    assert "E1: 省级晋创谷政策 P6.7 80,000.00" in out.trace[0]
