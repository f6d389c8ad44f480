"""The rule book on record (G.4): revisions are signed requests of an approver, used from their
valid-from date and never before, refused when they would change what a decision used; the
ledger verifies every decision against the rule book as it stood when it was recorded.
Storage tests: SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.enterprise import Enterprise
from domain.errors import Refused
from domain.ids import party_id
from ledger import Ledger
from ledger.audit.verify import verify_ledger
from ledger.commands import Outcome
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rulebook import ReviseParameter, revisions, rule_book_problems
from ledger.handlers.rules import AwardByRule
from projections.views.rules import describe
from tests.conftest import APPROVER, OFFICER

D = Decimal
RATE_QUOTE = "按单个合同技术交易额,给予 3% 补贴"


def setup(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))


def award(ledger: Ledger, day: str, contract: str, value: str = "1000000") -> str:
    out = ledger.execute(AwardByRule(actor=OFFICER, decided=date.fromisoformat(day), ref="临科发〔2025〕1号",
                                     recipient="U1", clause="P2.4",
                                     basis={"contract_value": value, "contract": contract, "registered_on": "2024-11-01", "counterparty": "E1"}))
    return str(out.data["award"])


def revise(ledger: Ledger, valid_from: str, value: str = "3%", actor: str = APPROVER, name: str = "rate",
           clause: str = "P2.4", request_id: str = "") -> Outcome:
    return ledger.execute(ReviseParameter(actor=actor, decided=date(2025, 12, 1), ref="临科发〔2025〕99号",
                                          clause=clause, name=name, value=value,
                                          valid_from=date.fromisoformat(valid_from), quote=RATE_QUOTE,
                                          request_id=request_id))


def amount(ledger: Ledger, award_id: str) -> Decimal:
    return ledger.aggregate(party_id("U1")).award(award_id).amount


def test_a_revision_is_used_from_its_valid_from_and_not_before(ledger: Ledger) -> None:
    setup(ledger)
    first = award(ledger, "2025-06-01", "HT-1")
    out = revise(ledger, "2026-01-01")
    assert out.data["version"] == "P2.4.rate@2026-01-01"
    before = award(ledger, "2025-12-31", "HT-2")
    after = award(ledger, "2026-01-01", "HT-3")
    assert (amount(ledger, first), amount(ledger, before), amount(ledger, after)) == (
        D("20000.00"), D("20000.00"), D("30000.00"))
    granted = {e.award_id: e.versions for _, e in ledger.read_log() if isinstance(e, Enterprise.AwardGranted)}
    assert "P2.4.rate@2024-11-05" in granted[before] and "P2.4.rate@2026-01-01" in granted[after]
    assert rule_book_problems(ledger) == []
    assert verify_ledger(ledger).problems == []  # the revision is a signed request like any other
    shown = "\n".join(describe("P2.4", ledger.rule_book()))
    assert "rate = 3%  (valid from 2026-01-01; P2.4.rate@2026-01-01; revised by approver-1, 临科发〔2025〕99号)" in shown
    assert "rate = 2%  (valid from 2024-11-05; P2.4.rate@2024-11-05)" in shown  # the first edition stays


def test_a_retroactive_revision_is_refused_and_nothing_is_written(ledger: Ledger) -> None:
    setup(ledger)
    used = award(ledger, "2026-03-01", "HT-1")
    size = sum(1 for _ in ledger.read_log())
    with pytest.raises(Refused, match=rf"P2.4.rate: a revision valid from 2026-02-01 would change the value used by 1 "
                                      rf"recorded decision\(s\) \({used} decided 2026-03-01; P2.4.rate@2024-11-05\); "
                                      r"give a valid-from after 2026-03-01"):
        revise(ledger, "2026-02-01")
    with pytest.raises(Refused, match=r"only add a value from a later date; it has a value valid from 2024-11-05"):
        revise(ledger, "2024-11-05")
    with pytest.raises(Refused, match=r"revising the rule book needs an approver|needs an approver"):
        revise(ledger, "2026-06-01", actor=OFFICER)
    with pytest.raises(Refused, match=r"P2.4.bogus is not a parameter of the rule book"):
        revise(ledger, "2026-06-01", name="bogus")
    with pytest.raises(Refused, match=r"a rate is between 0% and 100%"):
        revise(ledger, "2026-06-01", value="120%")
    assert sum(1 for _ in ledger.read_log()) == size
    assert revisions(ledger) == []
    revise(ledger, "2026-03-02")  # after the last decision that used the parameter: allowed
    assert [r.version for r in (x.parameter() for x in revisions(ledger))] == ["P2.4.rate@2026-03-02"]


def test_the_open_broker_ratio_is_set_by_a_revision_before_the_first_broker_award(ledger: Ledger) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="B1", name="王经纪",
                                 party_kind="person", entered=date(2024, 12, 1)))
    broker = AwardByRule(actor=OFFICER, decided=date(2025, 6, 1), ref="临科发〔2025〕5号", recipient="B1",
                         clause="P2.3b", basis={"deal_value": "1000000", "deal": "JY-1"})
    with pytest.raises(Refused, match=r"the broker ratio .* is not set"):
        ledger.execute(broker)
    revise(ledger, "2025-01-01", value="1%", clause="P2.3b", name="ratio")
    out = ledger.execute(broker)
    assert out.data["amount"] == D("10000.00")


def test_a_decision_that_does_not_match_the_book_as_it_stood_is_reported(ledger: Ledger) -> None:
    """The check can fail: a ledger opened with a different first edition sees the mismatch."""
    setup(ledger)
    award(ledger, "2025-06-01", "HT-1")
    from domain.parameters import Parameter, ParameterBook, parameter_book

    base = parameter_book()
    rate = base.at("P2.4", "rate", date(2025, 1, 1))
    ledger.book = ParameterBook([*(p for c in base.clauses() for p in base.versions(c)),
                                 Parameter("P2.4", "rate", D("0.03"), "rate", date(2025, 1, 1), rate.quote)])
    assert rule_book_problems(ledger) == [
        "award U1-A1 decided 2025-06-01 records P2.4.rate@2024-11-05, but the rule book as it stood then had "
        "P2.4.rate@2025-01-01 in force"]


def test_a_parameter_named_in_the_notices_words_is_the_same_revision_and_proposal() -> None:
    """补贴比例 is P2.4's rate and 年度上限 its annual cap, in a revision and in a what-if proposal alike."""
    from domain.parameters import parameter_book
    from ledger.whatif import Proposal

    def revision(name: str) -> ReviseParameter:
        return ReviseParameter(actor=APPROVER, decided=date(2025, 3, 1), ref="临科发〔2025〕9号", clause="P2.4",
                               name=name, value="3%", valid_from=date(2026, 1, 1), quote="给予 3% 补贴")

    assert revision("补贴比例") == revision("rate")
    assert Proposal.parse("P2.4.年度上限=400000@2026-01-01") == Proposal("P2.4", "annual_cap", "400000", date(2026, 1, 1))
    with pytest.raises(Refused, match="is not a parameter of the rule book"):
        Proposal.parse("P2.4.比例上限=1%@2026-01-01").parameter(parameter_book())
