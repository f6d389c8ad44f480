"""`jcg policy what-if`: every recorded award and P5.6 claim recomputed under a proposed rule book,
nothing written; the totals of a small history checked by hand. `jcg policy revise` and `policy show`
on the command line. Storage tests: SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from click.testing import Result

from ledger import Ledger
from ledger.handlers.loans import ApproveCompensation, ClaimCompensation
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from ledger.whatif import Proposal, recompute, what_if_rows
from tests.builders import approval, covers, defaulted_loan, on
from tests.conftest import OFFICER

D = Decimal


def small_history(ledger: Ledger) -> None:
    """By hand, under the first edition (P2.4 2%, cap 500,000 a year; P5.7 50%, cap 200,000 a year):
    U1-A1 P2.4 2% × 5,000,000 on 2025-03-01 = 100,000; U1-A2 P2.4 2% × 20,000,000 on 2025-06-01 =
    400,000 (the 2025 cap leaves 400,000); U1-A3 P2.4 2% × 3,000,000 on 2026-02-01 = 60,000;
    E1-A1 P5.7 50% × 300,000 on 2025-04-01 = 150,000. Recorded total 710,000."""
    a = {"actor": OFFICER}
    ledger.execute(RegisterParty(code="U1", name="山西师范大学", party_kind="university", entered=date(2024, 12, 1),
                                 decided=date(2025, 1, 2), **a))
    ledger.execute(RegisterParty(code="E1", name="临汾光电", party_kind="enterprise", entered=date(2024, 12, 1),
                                 decided=date(2025, 1, 2), **a))
    for day, value, contract in (("2025-03-01", "5000000", "HT-1"), ("2025-06-01", "20000000", "HT-2"),
                                 ("2026-02-01", "3000000", "HT-3")):
        ledger.execute(AwardByRule(recipient="U1", clause="P2.4", basis={"contract_value": value, "contract": contract, "registered_on": "2024-11-01", "counterparty": "E1"},
                                   decided=date.fromisoformat(day), ref="临科发〔2025〕1号", **a))
    ledger.execute(AwardByRule(recipient="E1", clause="P5.7", basis={"premium": "300000", "policy": "BD-1"},
                               decided=date(2025, 4, 1), ref="临科发〔2025〕2号", **a))


PROPOSALS = ("P2.4.rate=3%@2025-05-01", "P5.7.annual_cap=100000@2025-01-01")


def test_what_if_totals_by_hand(ledger: Ledger) -> None:
    """Under the proposal: U1-A1 is before 2025-05-01, 100,000; U1-A2 3% × 20,000,000 = 600,000,
    cut to the 400,000 the 2025 cap leaves (no change); U1-A3 3% × 3,000,000 = 90,000 (+30,000);
    E1-A1 150,000 cut to the proposed cap 100,000 (−50,000). Total 690,000, difference −20,000."""
    small_history(ledger)
    size = sum(1 for _ in ledger.read_log())
    results = list(recompute(ledger.book, (e for _, e in ledger.read_log()), [Proposal.parse(p) for p in PROPOSALS]))
    assert [(r.award, r.recorded, r.proposed) for r in results] == [
        ("U1-A1", D("100000.00"), D("100000.00")), ("U1-A2", D("400000.00"), D("400000.00")),
        ("U1-A3", D("60000.00"), D("90000.00")), ("E1-A1", D("150000.00"), D("100000.00"))]
    assert what_if_rows(results) == [
        ["P2.4", "U1", 2025, 2, D("500000.00"), D("500000.00"), D("0.00")],
        ["P2.4", "U1", 2026, 1, D("60000.00"), D("90000.00"), D("30000.00")],
        ["P5.7", "E1", 2025, 1, D("150000.00"), D("100000.00"), D("-50000.00")],
    ]
    assert sum(r.proposed for r in results) - sum(r.recorded for r in results) == D("-20000.00")
    assert sum(1 for _ in ledger.read_log()) == size  # nothing written


def test_what_if_sees_the_proposed_history_of_g3_and_caps(ledger: Ledger) -> None:
    """A lower rate frees room in the annual cap: the second award is recomputed against the
    first award's proposed amount, not its recorded one."""
    small_history(ledger)
    results = list(recompute(ledger.book, (e for _, e in ledger.read_log()), [Proposal.parse("P2.4.rate=1%@2025-01-01")]))
    by_award = {r.award: r.proposed for r in results}
    assert by_award["U1-A1"] == D("50000.00") and by_award["U1-A2"] == D("200000.00")


def test_cli_what_if_table_csv_json_and_bad_input(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    small_history(ledger)
    args = [a for p in PROPOSALS for a in ("--revise", p)]
    table = jcg("policy", "what-if", *args)
    assert table.exit_code == 0, table.output
    assert "nothing written" in table.stdout
    rows = list(csv.DictReader(io.StringIO(jcg("policy", "what-if", *args, "--format", "csv").stdout.lstrip("\ufeff"))))
    assert [(r["clause"], r["recipient"], r["year"], r["difference"]) for r in rows] == [
        ("P2.4", "U1", "2025", "0.00"), ("P2.4", "U1", "2026", "30000.00"), ("P5.7", "E1", "2025", "-50000.00")]
    doc = json.loads(jcg("policy", "what-if", *args, "--format", "json").stdout)
    assert doc["totals"][0]["awarded"] == "710000.00" and doc["totals"][0]["what_if"] == "690000.00"
    assert doc["totals"][0]["difference"] == "-20000.00"
    bad = jcg("policy", "what-if", "--revise", "P2.4.rate=3%")
    assert bad.exit_code == 1 and "is not CLAUSE.NAME=VALUE@DATE" in bad.stderr
    bad = jcg("policy", "what-if", "--revise", "P2.4.bogus=3%@2026-01-01")
    assert bad.exit_code == 1 and "P2.4.bogus is not a parameter of the rule book" in bad.stderr


def test_cli_revise_and_show(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    from tests.conftest import APPROVER

    small_history(ledger)
    refused = jcg("--officer", APPROVER, "policy", "revise", "P2.4", "rate", "3%", "--valid-from", "2026-01-01",
                  "--quote", "按单个合同技术交易额,给予 3% 补贴", "--decided", "2026-03-01", "--ref", "临科发〔2026〕7号")
    assert refused.exit_code == 1 and "would change the value used by 1 recorded decision(s) (U1-A3" in refused.stderr
    ok = jcg("--officer", APPROVER, "policy", "revise", "P2.4", "rate", "3%", "--valid-from", "2026-03-01",
             "--quote", "按单个合同技术交易额,给予 3% 补贴", "--decided", "2026-03-01", "--ref", "临科发〔2026〕7号")
    assert ok.exit_code == 0, ok.output
    shown = jcg("policy", "show", "P2.4").stdout
    assert "P2.4.rate@2026-03-01; revised by approver-1, 临科发〔2026〕7号" in shown


def three_claims(ledger: Ledger) -> None:
    """By hand, under the first edition: L1 P5.6a loss 333,333.33 → 省财政 116,666.67 + 市财政
    116,666.67 = 233,333.34 public (approved); L2 P5.6b loss 1,000,000.00 at the default 45 % / 45 %
    → 900,000.00; L3 P5.6b loss 1,000,000.00 at rates the decision gave, 50 % / 40 % → 900,000.00.
    Recorded public total 2,033,333.34."""
    defaulted_loan(ledger)
    ledger.execute(ClaimCompensation(code="L1", **on("2026-03-10")))
    ledger.execute(ApproveCompensation(code="L1", **approval("2026-03-20", ref="临财金〔2026〕3号")))
    for code in ("L2", "L3"):
        defaulted_loan(ledger, code, "P5.6b", principal="2000000.00", repaid="1000000.00", loss="1000000.00",
                       new_parties=False)
    ledger.execute(ClaimCompensation(code="L2", **on("2026-03-10")))
    ledger.execute(ClaimCompensation(code="L3", province_rate=D("0.5"), city_rate=D("0.4"), **on("2026-03-10")))


@covers("P5.6a", "P5.6b")
def test_what_if_splits_the_p5_6_claims_again_totals_by_hand(ledger: Ledger) -> None:
    """Proposed from 2026-01-01: P5.6a province 30 % (bank 35 %), P5.6b city 40 %. L1: 30 % × 333,333.33
    = 99,999.999 → 100,000.00, + 116,666.67 = 216,666.67 (−16,666.67); L2: 450,000.00 + 400,000.00 =
    850,000.00 (−50,000.00); L3 keeps the rates its decision gave: 900,000.00. Total 1,966,666.67,
    difference −66,666.67. A ceiling of 80 % refuses L2 (45 % + 40 %) and L3 (50 % + 40 %)."""
    three_claims(ledger)
    size = sum(1 for _ in ledger.read_log())
    proposals = [Proposal.parse(p) for p in ("P5.6a.province_share=30%@2026-01-01",
                                             "P5.6a.bank_share=35%@2026-01-01", "P5.6b.city_share=40%@2026-01-01")]
    results = list(recompute(ledger.book, (e for _, e in ledger.read_log()), proposals))
    assert [(r.award, r.clause, r.recipient, r.recorded, r.proposed) for r in results] == [
        ("loan L1", "P5.6a", "BANK-JS", D("233333.34"), D("216666.67")),
        ("loan L2", "P5.6b", "BANK-JS", D("900000.00"), D("850000.00")),
        ("loan L3", "P5.6b", "BANK-JS", D("900000.00"), D("900000.00"))]
    assert what_if_rows(results) == [
        ["P5.6a", "BANK-JS", 2026, 1, D("233333.34"), D("216666.67"), D("-16666.67")],
        ["P5.6b", "BANK-JS", 2026, 2, D("1800000.00"), D("1750000.00"), D("-50000.00")]]
    assert sum(r.proposed for r in results) - sum(r.recorded for r in results) == D("-66666.67")
    assert "省财政 30% × 333,333.33 = 100,000.00" in results[0].note
    lower = list(recompute(ledger.book, (e for _, e in ledger.read_log()),
                           [Proposal.parse("P5.6b.public_share_max=80%@2026-01-01")]))
    assert [(r.award, r.proposed) for r in lower] == [
        ("loan L1", D("233333.34")), ("loan L2", D("0.00")), ("loan L3", D("0.00"))]
    assert "exceeds the 80% ceiling" in lower[1].note
    assert sum(1 for _ in ledger.read_log()) == size  # nothing written


@covers("P5.6a", "P5.6b")
def test_cli_what_if_on_p5_6_claims(ledger: Ledger, jcg: Callable[..., Result]) -> None:
    three_claims(ledger)
    out = jcg("policy", "what-if", "--revise", "P5.6b.city_share=40%@2026-01-01", "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert [(r["clause"], r["recipient"], r["awards"], r["awarded"], r["what_if"], r["difference"]) for r in rows] == [
        ("P5.6a", "BANK-JS", "1", "233333.34", "233333.34", "0.00"),
        ("P5.6b", "BANK-JS", "2", "1800000.00", "1750000.00", "-50000.00")]
    table = jcg("policy", "what-if", "--revise", "P5.6b.city_share=40%@2026-01-01")
    assert "loan L2 P5.6b BANK-JS 2026: 900,000.00 → 850,000.00" in table.stdout
