"""拨投结合 acceptance fixes: the unpaid grant is released on failure and completion, P6.1
reassignment stays with the team and out of the conversion base, exits priced cumulatively,
and a team buyback only by an existing holder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.conversion_terms import ExitFormula
from domain.errors import Refused
from domain.ids import project_id
from domain.journal import postings
from domain.project import Project
from ledger import Ledger
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
    SellStake,
)
from projections.views.projects import project_lines
from tests.builders import balances, on, setup
from tests.conftest import APPROVER
from tests.posting import paid

D = Decimal
pytestmark = [getattr(pytest.mark, "P2.2"), getattr(pytest.mark, "P6.1")]


def events_of(ledger: Ledger, kind: type) -> list[object]:
    return [e for _, e in ledger.read_log() if isinstance(e, kind)]


def approve(ledger: Ledger, code: str, enterprise: str = "ENT-1", amount: str = "500000") -> None:
    ledger.execute(ApproveProject(code=code, title="后续研究", clause="P6.1", enterprise=enterprise, fund="F-SEED",
                                  amount=D(amount), trigger="date", trigger_on=date(2026, 6, 1),
                                  pricing="fixed", pre_money=D("20000000"), max_stake="10%",
                                  **on("2025-03-01", actor=APPROVER, ref="临科发〔2025〕9号")))


def test_failure_releases_the_unpaid_grant(ledger: Ledger) -> None:
    setup(ledger)  # grant 3,000,000
    paid(ledger, PayTranche(project="PJ-1", amount=D("1800000.00"), **on("2025-02-01")))
    before = balances(ledger)
    out = ledger.execute(FailProject(project="PJ-1", reason="技术路线失败", **on("2025-06-01")))
    assert out.data["released"] == D("1200000.00")
    assert any("3,000,000.00 granted − 1,800,000.00 paid = 1,200,000.00" in t for t in out.trace)
    project = ledger.aggregate(project_id("PJ-1"))
    assert project.released == D("1200000.00") and project.outstanding == D("0.00")
    (failed,) = events_of(ledger, Project.Failed)
    assert failed.released == D("1200000.00")  # type: ignore[attr-defined]  # events read back from the log are typed by their base class
    # approval posted nothing (cash basis), so its reversal posts nothing: the journal is unchanged
    assert postings(failed) == ()
    assert balances(ledger) == before
    assert any("released 1,200,000.00, still committed 0.00" in line for line in project_lines(project))
    with pytest.raises(Refused, match="failed"):
        paid(ledger, PayTranche(project="PJ-1", amount=D("1.00"), **on("2025-07-01")))


def test_completion_releases_the_unpaid_grant_and_records_what_was_spent(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("2000000.00"), **on("2025-02-01")))
    with pytest.raises(Refused, match=r"spent 2,000,000\.01 exceeds"):
        ledger.execute(FinishProject(project="PJ-1", spent=D("2000000.01"), **on("2025-11-20", ref="验-1")))
    out = ledger.execute(FinishProject(project="PJ-1", spent=D("1500000"), **on("2025-11-20", ref="验-1")))
    assert out.data == {"unspent": D("500000.00"), "released": D("1000000.00"), "spent": D("1500000.00")}
    assert any("2,000,000.00 paid − 1,500,000.00 spent − 0.00 converted − 0.00 reassigned − 0.00 recovered "
               "= 500,000.00" in t for t in out.trace)
    (finished,) = events_of(ledger, Project.Finished)
    assert (finished.released, finished.spent, finished.unspent) == (  # type: ignore[attr-defined]  # events read back from the log are typed by their base class
        D("1000000.00"), D("1500000.00"), D("500000.00"))
    assert postings(finished) == ()
    assert ledger.aggregate(project_id("PJ-1")).outstanding == D("0.00")


def test_reassignment_stays_with_the_team_is_capped_by_unspent_and_never_converts(ledger: Ledger) -> None:
    setup(ledger)
    ledger.execute(RegisterParty(code="ENT-2", name="另一家公司", party_kind="enterprise",
                                 entered=date(2024, 12, 1), **on("2024-12-01")))
    approve(ledger, "PJ-B")
    approve(ledger, "PJ-OTHER", enterprise="ENT-2")
    paid(ledger, PayTranche(project="PJ-1", amount=D("1000000.00"), **on("2025-02-01")))
    paid(ledger, PayTranche(project="PJ-B", amount=D("100000.00"), **on("2025-04-01")))
    ledger.execute(FinishProject(project="PJ-1", spent=D("700000"), **on("2025-11-20", ref="验-1")))
    size = len(list(ledger.read_log()))
    with pytest.raises(Refused, match=r"项目组统筹用于其他科研项目.*PJ-OTHER belongs to ENT-2, not to ENT-1"):
        ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-OTHER", amount=D("1"), **on("2025-12-01")))
    with pytest.raises(Refused, match=r"unspent fiscal money is 300,000\.00 .*700,000\.00 spent"):
        ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", amount=D("300000.01"), **on("2025-12-01")))
    assert len(list(ledger.read_log())) == size
    ledger.execute(ReassignUnspent(project="PJ-1", target="PJ-B", **on("2025-12-01")))
    target = ledger.aggregate(project_id("PJ-B"))
    assert target.reassigned_in == D("300000.00") and target.convertible == D("100000.00")
    ledger.execute(RecordTrigger(project="PJ-B", **on("2026-06-01")))
    with pytest.raises(Refused, match=r"left 100,000\.00; 300,000\.00 reassigned in under P6\.1 is not convertible"):
        ledger.execute(ConvertProject(project="PJ-B", amount=D("100000.01"), **on("2026-06-01")))
    out = ledger.execute(ConvertProject(project="PJ-B", **on("2026-06-01")))  # default: all convertible
    assert ledger.aggregate(project_id("PJ-B")).converted == D("100000.00") and out.data["units"] > 0
    assert sum(balances(ledger).values(), D(0)) == 0


def test_exit_formula_parts_add_up_to_the_whole_stake_price() -> None:
    fixed = ExitFormula("fixed", price=D("1000000.01"))
    interest = ExitFormula("interest", rate=D("0.04"))
    since, day = date(2026, 1, 5), date(2027, 7, 6)
    for formula in (fixed, interest, ExitFormula("principal")):
        whole, _ = formula.price_of(D("3000000.01"), D(1), since, day)
        thirds = [D(0), D(1) / 3, D(2) / 3, D(1)]
        parts = [formula.price_of(D("3000000.01"), thirds[i + 1], since, day, thirds[i])[0] for i in range(3)]
        assert sum(parts, D(0)) == whole, (formula.kind, parts, whole)
    parts = [fixed.price_of(D(0), D(i + 1) / 3, since, day, D(i) / 3)[0] for i in range(3)]
    assert parts == [D("333333.34"), D("333333.33"), D("333333.34")]  # not 3 × 333,333.34
    _, trace = fixed.price_of(D(0), D(2) / 3, since, day, D(1) / 3)
    assert trace == ("fixed price 1,000,000.01 × 66.67% = 666,666.67 for 66.67% bought back in all, less "
                     "333,333.34 for the 33.33% bought back before (same formula) = 333,333.33")


def test_buyback_in_three_parts_charges_exactly_the_whole_price_and_shows_a_percentage(ledger: Ledger) -> None:
    setup(ledger)  # 3,000,000 converted at 12,000,000 pre-money on 5,000,000 capital: 1,250,000 units
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    day = "2027-07-06"
    outs = [paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D(u), **on(day, request_id=f"bb-{i}")))
            for i, u in enumerate(("416666.67", "416666.67"))]
    outs.append(paid(ledger, BuyBack(project="PJ-1", buyer="张三", **on(day, request_id="bb-last"))))
    whole, _ = ExitFormula("interest", rate=D("0.04")).price_of(D("3000000.00"), D(1), date(2026, 1, 5), date(2027, 7, 6))
    assert sum((o.data["price"] for o in outs), D(0)) == whole
    text = "\n".join(outs[0].trace)
    assert "= 33.33%" in text and "0.3333333" not in text
    assert ledger.aggregate(project_id("PJ-1")).proceeds == whole


def test_a_team_buyback_is_by_an_existing_holder(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05")))
    size = len(list(ledger.read_log()))
    for buyer in ("某投资公司", "F-SEED"):
        with pytest.raises(Refused, match=rf"{buyer} is not a holder on ENT-1's register .*jcg project sell PJ-1"):
            paid(ledger, BuyBack(project="PJ-1", buyer=buyer, **on("2027-07-06")))
    assert len(list(ledger.read_log())) == size
    out = ledger.execute(SellStake(project="PJ-1", buyer="某投资公司", price=D("100000"), units=D("100000"),
                                   **on("2027-07-06")))
    assert out.data["units"] == D("100000.00")
