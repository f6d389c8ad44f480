"""Awards by rule through the ledger (SQLite and PostgreSQL): recorded with trace, basis and
parameter versions; refusals write nothing; count caps on the clause-year counter; external
awards for G.3; G.4 revisions leave old decisions and replays unchanged; the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from click.testing import Result

from domain.errors import CapExceeded, Refused
from domain.ids import party_id
from domain.parameters import ParameterBook, load_values, parameter_book
from domain.rules import evaluate
from ledger import Ledger
from ledger.handlers.parties import GrantQualification
from ledger.handlers.rules import RecordExternalAward, calculate
from tests.builders import DAY, log_length, record_award, register
from tests.conftest import OFFICER

D = Decimal


def test_award_records_trace_basis_and_versions(ledger: Ledger) -> None:
    register(ledger, "U1", "university")
    register(ledger, "E1", "enterprise")  # the contract's counterparty, named in the trace from its record
    out = record_award(ledger, "P2.4", "U1", contract_value="7654321.09", contract="HT-1")
    assert out.message.startswith("award U1-A1: 153,086.42 to U1 under P2.4")
    granted = [e for _, e in ledger.read_log() if type(e).__name__ == "AwardGranted"]
    assert len(granted) == 1
    e = granted[0]
    assert e.trace == ["P2.4: 2% × 7,654,321.09 = 153,086.42; contract HT-1 registered on 2024-11-01 (认定登记), "
                       "with E1 E1 名称 (企业); cap 500,000/yr for U1, used 0.00, remaining 500,000.00 → 153,086.42"]
    assert e.versions == ["P2.4.rate@2024-11-05", "P2.4.annual_cap@2024-11-05"]
    assert e.basis == {"contract_value": "7654321.09", "contract": "HT-1", "registered_on": "2024-11-01", "counterparty": "E1"}
    assert e.matter == "P2.4:HT-1"
    # the same contract again: G.3 refuses, nothing written
    before = log_length(ledger)
    with pytest.raises(Refused, match=r"G\.3 就高不重复: matter P2\.4:HT-1"):
        record_award(ledger, "P2.4", "U1", contract_value="7654321.09", contract="HT-1")
    assert log_length(ledger) == before


def test_annual_cap_across_awards_and_idempotent_repeat(ledger: Ledger) -> None:
    register(ledger, "U1", "university")
    record_award(ledger, "P2.4", "U1", request_id="r1", contract_value="20000000", contract="HT-1")
    out = record_award(ledger, "P2.4", "U1", request_id="r2", contract_value="7654321.09", contract="HT-2")
    assert "100,000.00" in out.message
    assert out.trace[0].endswith("cap 500,000/yr for U1, used 400,000.00, remaining 100,000.00 → 100,000.00")
    again = record_award(ledger, "P2.4", "U1", request_id="r2", contract_value="7,654,321.09", contract="HT-2")
    assert again.already_recorded
    with pytest.raises(CapExceeded, match="used up in 2025"):
        record_award(ledger, "P2.4", "U1", request_id="r3", contract_value="100", contract="HT-3")
    assert ledger.aggregate(party_id("U1")).awarded_in("P2.4", 2025) == D("500000.00")


def test_count_cap_on_the_clause_year_counter(ledger: Ledger) -> None:
    for i in range(11):
        register(ledger, f"B{i}", "person")
    for i in range(10):
        record_award(ledger, "P4.2b", f"B{i}")
    before = log_length(ledger)
    with pytest.raises(CapExceeded, match="at most 10 outstanding individuals a year; 2025 has 10"):
        record_award(ledger, "P4.2b", "B10")
    assert log_length(ledger) == before
    record_award(ledger, "P4.2b", "B10", decided=date(2026, 1, 5))  # a new year, a new counter


def test_external_award_makes_g3_pay_the_difference(ledger: Ledger) -> None:
    register(ledger, "E1")
    ledger.execute(RecordExternalAward(actor=OFFICER, decided=DAY, ref="晋科发〔2025〕8号", recipient="E1",
                                       clause="P6.7", matter="P6.7:ZL1", amount=D("80000"), source="省级晋创谷政策"))
    out = record_award(ledger, "P6.7", "E1", patent="ZL1", prize="china")
    assert "20,000.00" in out.message and "省级晋创谷政策 P6.7 80,000.00" in out.trace[0]
    with pytest.raises(Refused, match=r"already received 100,000\.00"):
        record_award(ledger, "P6.7", "E1", patent="ZL1", prize="china")
    # external awards move no money of this ledger: the journal still balances
    from domain.journal import trial_balance

    assert sum(trial_balance(e for _, e in ledger.read_log()).values(), D(0)) == 0


def test_p6_5a_reads_qualifications_recorded_in_the_ledger(ledger: Ledger) -> None:
    register(ledger, "E1")
    with pytest.raises(Refused, match="no 高新技术企业 qualification granted in 2024"):
        record_award(ledger, "P6.5a", "E1")
    ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 5), code="E1", qualification="高新技术企业",
                                      level="national", granted_on=date(2024, 12, 20), expires_on=None))
    assert "100,000.00" in record_award(ledger, "P6.5a", "E1").message


def revised_book() -> ParameterBook:
    """The shipped values plus a revision of P2.4's rate (3% from 2026-01-01) and a P2.3b ratio."""
    extra = '''
[[value]]
clause = "P2.4"
name = "rate"
value = "0.03"
unit = "rate"
valid_from = 2026-01-01
quote = "(test revision) 给予 3% 补贴"

[[value]]
clause = "P2.3b"
name = "ratio"
value = "0.01"
unit = "rate"
valid_from = 2024-11-05
quote = "(test) 按交易额的 1% 给予奖励"
'''
    base = [p for c in parameter_book().clauses() for p in parameter_book().versions(c)]
    return ParameterBook(base + load_values([("revision.toml", extra)]))


def test_g4_revision_applies_by_decision_date_and_replay_is_unchanged(ledger: Ledger) -> None:
    register(ledger, "U1", "university")
    record_award(ledger, "P2.4", "U1", decided=date(2025, 6, 1), contract_value="1000000", contract="HT-1")
    ledger.book = revised_book()  # a revision lands: 3% from 2026-01-01
    # a decision dated before the revision still computes the old 2%, and records that version
    e = calculate(ledger, "P2.4", "U1", {"contract_value": "1000000", "contract": "HT-2", "registered_on": "2024-11-01", "counterparty": "E1"}, date(2025, 12, 31))
    assert e.amount == D("20000.00") and "P2.4.rate@2024-11-05" in e.versions
    out = record_award(ledger, "P2.4", "U1", decided=date(2026, 2, 1), contract_value="1000000", contract="HT-3")
    assert "30,000.00" in out.message and "P2.4.rate@2026-01-01" in out.trace[1]
    # P2.3b works once its ratio is set
    register(ledger, "B1", "person")
    assert "10,000.00" in record_award(ledger, "P2.3b", "B1", deal_value="1000000", deal="D-1").message
    # replay: each recorded award, recomputed on the state just before it, gives the same
    # amount with the same parameter versions
    replayed = 0
    for _, event in ledger.read_log():
        if type(event).__name__ == "AwardGranted":
            before = ledger.repository.get(event.originator_id, version=event.originator_version - 1)
            again = evaluate(event.clause, before, event.basis, event.by.decided, ledger.book)
            assert (again.amount, list(again.versions), again.trace) == (event.amount, event.versions, event.trace)
            replayed += 1
    assert replayed == 3


Jcg = Callable[..., Result]


def test_cli_policy_list_show_calc_award_external(jcg: Jcg) -> None:
    assert jcg("party", "register", "U1", "--name", "山西师范大学", "--kind", "university", "--entered",
               "2024-12-01", "--decided", "2025-01-02").exit_code == 0
    r = jcg("policy", "list")
    row = next(line for line in r.output.splitlines() if line.startswith("P2.4 "))
    assert r.exit_code == 0 and "高校院所技术合同补贴" in row and "P5.6a" in r.output
    r = jcg("policy", "show", "P2.4")
    assert r.exit_code == 0
    assert "contract_value (yuan)" in r.output and "rate = 2%  (valid from 2024-11-05" in r.output
    assert "「按单个合同技术交易额,给予 2% 补贴」" in r.output
    r = jcg("policy", "calc", "P2.4", "--recipient", "U1", "--basis", "contract_value=10000000",
            "--basis", "contract=HT-6", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01")
    assert r.exit_code == 0, r.output
    assert "P2.4: 2% × 10,000,000.00 = 200,000.00" in r.output and "nothing written" in r.output
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=1000万",
            "--basis", "contract=HT-7", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕12号")
    assert r.exit_code == 0, r.output
    assert "award U1-A1: 200,000.00" in r.output and "G.3 matter: P2.4:HT-7" in r.output
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=1000万",
            "--basis", "contract=HT-9", "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--amount", "250000", "--decided", "2025-03-01", "--ref", "R")
    assert r.exit_code == 1 and "differs from the computed entitlement" in r.stderr
    r = jcg("grant", "external", "P2.4", "--recipient", "U1", "--matter", "P2.4:HT-8", "--amount", "5万",
            "--source", "省级晋创谷政策", "--decided", "2025-04-01", "--ref", "晋科发〔2025〕8号")
    assert r.exit_code == 0 and "received on it now 50,000.00" in r.output
    r = jcg("policy", "calc", "P5.6a", "--basis", "loss=1000000", "--decided", "2025-06-30")
    assert r.exit_code == 0 and "省财政 35% × 1,000,000.00 = 350,000.00" in r.output
    assert "parameters: P5.6a.province_share@2024-11-05, P5.6a.city_share@2024-11-05" in r.output
    r = jcg("policy", "calc", "P5.6b", "--basis", "loss=100万", "--basis", "province_rate=50%", "--basis",
            "city_rate=41%", "--decided", "2025-06-30")
    assert r.exit_code == 1 and "exceeds the 90% ceiling" in r.stderr
    r = jcg("policy", "calc", "P5.6a", "--basis", "loss=100万", "--basis", "bogus=1", "--decided", "2025-06-30")
    assert r.exit_code == 1 and "unknown basis key bogus" in r.stderr
    assert jcg("party", "register", "B1", "--name", "经纪人", "--kind", "person", "--entered", "2024-12-01",
               "--decided", "2025-01-02").exit_code == 0
    r = jcg("policy", "calc", "P2.3b", "--recipient", "B1", "--basis", "deal_value=1", "--basis", "deal=D",
            "--decided", "2025-03-01")
    assert r.exit_code == 1 and "broker ratio" in r.stderr and r.stderr.count("\n") == 1
