"""`report caps` shows every kind of cap the rules have, from the parameters in force, and
`report balances` names the clause of each clause account in Chinese."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from click.testing import Result

from domain.enterprise import Enterprise
from domain.provenance import Provenance
from ledger import Ledger
from projections import reports
from projections.runner import catch_up, fold
from projections.store import ReadModelStore
from tests.conftest import OFFICER, fixed_clock

D = Decimal


def by(day: str, n: int) -> Provenance:
    return Provenance(actor=OFFICER, recorded_at=datetime(2026, 1, 1, tzinfo=UTC), decided=date.fromisoformat(day),
                      request_id=f"caps-{n}", ref=f"临科发〔2025〕{n}号")


def record_capped_awards(ledger: Ledger) -> None:
    """Awards under each kind of cap, written as the domain records them (amounts by hand)."""
    r = Enterprise.register(by("2025-01-02", 1), "R1", "临汾新型研发机构", "institute", date(2025, 1, 1))
    r.grant_award(by("2025-03-01", 2), "P3.2b", D("120000.00"))  # construction period: 300,000 over all years
    r.grant_award(by("2026-03-01", 3), "P3.2b", D("100000.00"))
    t = Enterprise.register(by("2025-01-02", 4), "T1", "临汾重大专项团队", "enterprise", date(2025, 1, 1))
    t.grant_award(by("2025-05-01", 5), "P6.2", D("250000.00"), basis={"project": "NP-1"})  # 600,000 per project
    t.grant_award(by("2026-05-01", 6), "P6.2", D("200000.00"), basis={"project": "NP-1"})
    t.grant_award(by("2026-05-01", 7), "P6.2", D("50000.00"), basis={"project": "NP-2"})
    b = Enterprise.register(by("2025-01-02", 9), "B1", "技术经纪人甲", "person", date(2025, 1, 1))
    b.grant_award(by("2025-06-01", 10), "P2.3b", D("80000.00"))  # 100,000 per deal
    b.grant_award(by("2025-07-01", 11), "P4.2b", D("100000.00"))  # 10 places a year
    p2 = Enterprise.register(by("2025-01-02", 12), "B2", "技术经纪人乙", "person", date(2025, 1, 1))
    award = p2.grant_award(by("2025-07-01", 13), "P4.2b", D("100000.00"))
    p2.disburse(by("2025-07-10", 14), award, D("100000.00"))
    p2.claw_back(by("2025-08-01", 15), award, D("100000.00"), "撤销")  # fully clawed back: the place is free
    m = Enterprise.register(by("2025-01-02", 16), "M1", "临汾天使基金管理人", "fund_manager", date(2025, 1, 1))
    m.grant_award(by("2025-09-01", 17), "P5.3", D("1500000.00"), basis={"fund": "F1"})  # one-time, 2,000,000 cap
    ledger.save(r, t, b, p2, m)


def cap_rows(rows: dict) -> dict[tuple[str, str, str, str], tuple]:
    report = reports.caps(rows)
    names = [c.name for c in report.columns]
    assert names == ["clause", "title", "recipient", "cap", "scope", "awards", "used", "unit", "limit", "remaining"]
    return {(r[0], r[2], r[3], str(r[4])): (r[5], r[6], r[8], r[9]) for r in report.rows}


def test_every_cap_kind_with_used_and_remaining(ledger: Ledger) -> None:
    record_capped_awards(ledger)
    store = ReadModelStore(ledger.database)
    try:
        catch_up(ledger, store)
        caps = cap_rows(store.load())
    finally:
        store.close()
    assert caps[("P3.2b", "R1", "over the period", "all years")] == (2, D("220000.00"), D("300000.00"),
                                                                    D("80000.00"))
    assert caps[("P6.2", "T1", "per project", "NP-1")] == (2, D("450000.00"), D("600000.00"), D("150000.00"))
    assert caps[("P6.2", "T1", "per project", "NP-2")] == (1, D("50000.00"), D("600000.00"), D("550000.00"))
    assert caps[("P2.3b", "B1", "per award", "B1-A1")] == (1, D("80000.00"), D("100000.00"), D("20000.00"))
    # 一次性 (P5.3): paid once, never topped up, so a used one-time cap has nothing remaining
    assert caps[("P5.3", "M1", "per award (one-time: used)", "M1-A1")] == (1, D("1500000.00"), D("2000000.00"),
                                                                           D("0.00"))
    assert caps[("P4.2b", "(all recipients)", "places per year", "2025")] == (1, 1, 10, 9)
    assert ("P3.2b", "R1", "per year", "2025") not in caps, "P3.2b has no per-year cap"
    as_of = cap_rows(fold(ledger, as_of=date(2025, 12, 31), report="caps")[0].rows)
    assert as_of[("P3.2b", "R1", "over the period", "all years")][1:] == (D("120000.00"), D("300000.00"),
                                                                         D("180000.00"))
    before_clawback = cap_rows(fold(ledger, as_of=date(2025, 7, 31), report="caps")[0].rows)
    assert before_clawback[("P4.2b", "(all recipients)", "places per year", "2025")] == (2, 2, 10, 8)


def test_per_year_cap_and_the_command_line(jcg: Callable[..., Result], provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        record_capped_awards(ledger)
    finally:
        ledger.close()
    data = json.loads(jcg("report", "caps", "--format", "json").stdout)
    p62 = next(r for r in data["rows"] if r["clause"] == "P6.2" and r["scope"] == "NP-1")
    assert (p62["title"], p62["used"], p62["limit"], p62["remaining"]) == (
        "牵头承担国家、省科技重大专项奖励研发团队", "450000.00", "600000.00", "150000.00")
    p53 = next(r for r in data["rows"] if r["clause"] == "P5.3")
    assert (p53["cap"], p53["used"], p53["limit"], p53["remaining"]) == (
        "per award (one-time: used)", "1500000.00", "2000000.00", "0.00")
    p32 = next(r for r in data["rows"] if r["clause"] == "P3.2b" and r["cap"] == "over the period")
    assert p32["remaining"] == "80000.00"
    table = jcg("report", "caps")
    assert table.exit_code == 0 and "places per year" in table.stdout
    p53_line = next(line for line in table.stdout.splitlines() if line.startswith("P5.3"))
    assert "one-time: used" in p53_line and "1,500,000.00" in p53_line and p53_line.endswith(" 0.00")


def test_balances_carry_the_clause_title(jcg: Callable[..., Result], provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        record_capped_awards(ledger)
    finally:
        ledger.close()
    rows = json.loads(jcg("report", "balances", "--format", "json").stdout)["rows"]
    titles = {r["account"]: r["title"] for r in rows}
    assert titles["budget:P6.2:2025"] == "牵头承担国家、省科技重大专项奖励研发团队"
    assert titles["budget:P3.2b:2026"] == "市级新型研发机构建设补助"
    assert titles["payable:T1"] == ""
