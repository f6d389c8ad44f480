"""External awards (other policies' decisions) recorded for G.3: the matter's shape, the clause's
recipient kinds, counted across recipients, no G.1 window; domain and ledger (both databases).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from click.testing import Result

from domain.errors import Refused
from ledger import Ledger
from ledger.handlers.rules import AwardByRule, RecordExternalAward
from tests.builders import (
    D,
    by,
    calc,
    covers,
    external,
    log_length,
    party,
    register,
)
from tests.conftest import OFFICER


@covers("P6.7")
def test_external_award_counts_for_g3() -> None:
    p = party()
    p.record_external_award(by(ref="晋科发〔2025〕8号"), "P6.7", "P6.7:ZL1", D("80000"), "省级晋创谷政策")
    e = calc("P6.7", p, patent="ZL1", prize="china")
    assert e.amount == D("20000.00") and "省级晋创谷政策 P6.7 80,000.00" in e.line
    with pytest.raises(Refused, match=r"not less than this entitlement 50,000.00"):
        calc("P6.7", p, patent="ZL1", prize="shanxi")


@covers("P6.7")
def test_external_award_decided_before_the_policy_is_recorded_and_counted(ledger: Ledger) -> None:
    register(ledger, "E1")
    ledger.execute(RecordExternalAward(actor=OFFICER, decided=date(2024, 6, 1), ref="晋科发〔2024〕3号",
                                       recipient="E1", clause="P6.7", matter="p6.7:zl-1", amount=D("100000"),
                                       source="省级晋创谷政策"))
    with pytest.raises(Refused, match=r"G.3 就高不重复: matter P6.7:ZL-1 of E1 already received 100,000.00"):
        ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), ref="R1", recipient="E1",
                                   clause="P6.7", basis={"patent": "ZL-1", "prize": "china"}))


@covers("P2.4", "P6.7")
@pytest.mark.parametrize(("kind", "clause", "matter", "pays"), [
    ("enterprise", "P2.4", "P2.4:HT-1", "university"),
    ("bank", "P6.7", "P6.7:ZL-9", "enterprise"),
])
def test_external_award_to_a_kind_the_clause_does_not_pay_is_refused(
        ledger: Ledger, kind: str, clause: str, matter: str, pays: str) -> None:
    register(ledger, "X1", kind)
    before = log_length(ledger)
    with pytest.raises(Refused, match=rf"^{clause}: recipient X1 is an? {kind}; the clause pays .*{pays}"):
        external(ledger, "X1", clause, matter, "10000")
    assert log_length(ledger) == before


@covers("P6.7")
def test_external_award_to_a_kind_the_clause_pays_is_recorded(ledger: Ledger) -> None:
    register(ledger, "U1", "university")
    assert "G.3 matter P6.7:ZL-9" in external(ledger, "U1", "P6.7", "P6.7:ZL-9", "10000").message


@covers("P6.7", "P2.1a", "P5.5b")
@pytest.mark.parametrize(("clause", "matter", "shape"), [
    ("P6.7", "bogus", "P6.7:<patent>"),
    ("P6.7", "P6.7:", "P6.7:<patent>"),
    ("P6.7", "P3.1:ZL1", "P6.7:<patent>"),
    ("P2.1a", "P2.1:rent:last", "P2.1:rent:<year>"),
    ("P5.5b", "P5.5:ipo", "P5.5:listing"),
])
def test_external_award_with_a_matter_g3_cannot_match_is_refused(ledger: Ledger, clause: str, matter: str,
                                                                  shape: str) -> None:
    register(ledger, "E1")
    before = log_length(ledger)
    with pytest.raises(Refused, match=rf"^{clause}: matter '{matter}' does not have the shape {shape} that G.3"):
        external(ledger, "E1", clause, matter)
    assert log_length(ledger) == before


@covers("P6.7", "P2.1a", "P5.7")
def test_external_award_on_a_good_matter_is_recorded_and_counted(ledger: Ledger) -> None:
    register(ledger, "E1")
    out = external(ledger, "E1", "P6.7", "P6.7:ZL2023.5")
    assert "G.3 matter P6.7:ZL2023.5" in out.message
    external(ledger, "E1", "P2.1a", "P2.1:rent:2025")
    out = external(ledger, "E1", "P5.7", "p5.7:bd-1")  # every money clause has a matter now (CLAUSES.md, G.3)
    assert "G.3 matter P5.7:BD-1" in str(out.message)


@covers("P6.7")
def test_cli_external_bogus_matter_is_one_line(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    register(ledger, "E1")
    r = jcg("grant", "external", "P6.7", "--recipient", "E1", "--matter", "bogus", "--amount", "5万",
            "--source", "省级晋创谷政策", "--decided", "2025-03-01", "--ref", "晋科发〔2025〕8号")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("error: P6.7: matter 'bogus' does not have the shape P6.7:<patent> that G.3 "
                                "matches")
