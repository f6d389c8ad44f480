"""Builders shared by the tests: parties, awards and external awards on an Enterprise in memory
(the rules' unit tests) or through a ledger, projects, loans and a small recorded history.

One module so a test file never imports another test file; fixtures stay in conftest.py.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import click
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

import cli
from domain.enterprise import Enterprise
from domain.fund import Fund
from domain.ids import loan_id
from domain.journal import CITY, PROVINCE, trial_balance
from domain.loan import Loan
from domain.parameters import parameter_book
from domain.provenance import Provenance
from domain.rules import Entitlement, evaluate
from ledger import Ledger
from ledger.commands import Command, Outcome
from ledger.handlers.funds import RegisterFund
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.loans import (
    ApproveCompensation,
    ClaimCompensation,
    ClassifyNonPerforming,
    DeclareLoss,
    DisburseLoan,
    EnrolLoan,
    PayCompensation,
    RecordRecovery,
    RepayLoan,
)
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
    RegisterHolders,
)
from ledger.handlers.rules import AwardByRule, RecordExternalAward
from projections.runner import head
from tests.conftest import APPROVER, OFFICER
from tests.posting import paid

D = Decimal
DAY = date(2025, 3, 1)
F = TypeVar("F", bound=Callable[..., object])
PHD = {"degree": "doctorate", "social_insurance": "yes", "contract_years": "3"}  # P4.1c basis
MASTER = {**PHD, "degree": "master"}


def covers(*ids: str) -> Callable[[F], F]:
    """Mark a test with the clause ids it exercises, as the features are tagged (``pytest -m P2.4``)."""
    def mark(test: F) -> F:
        for clause_id in ids:
            test = getattr(pytest.mark, clause_id)(test)
        return test
    return mark


# the rules on an Enterprise in memory ------------------------------------------------------

def by(decided: date = DAY, ref: str = "临科发〔2025〕1号") -> Provenance:
    return Provenance(OFFICER, datetime(2026, 1, 1, tzinfo=UTC), decided, "req", ref)


def party(kind: str = "enterprise", code: str = "E1", entered: date = date(2024, 12, 1)) -> Enterprise:
    return Enterprise.register(by(date(2025, 1, 2)), code, f"{code} 名称", kind, entered)


RECOGNITION = {"recognised_on": "2024-11-05", "first_recognition": "yes"}
CONSTRUCTION = {"evaluation": "passed", "rd_spending": "1000000", "period_from": "2025-01-01",
                "period_to": "2027-12-31", "spent_year": "2025"}
# The eligibility facts a clause requires (each one's refusal is tested on its own, in
# tests/test_rules_eligibility.py); the tests of amounts and caps give them as recorded,
# unless they name a fact themselves (facts=False: none added).
REGISTERED = {"registered_on": "2024-11-01", "counterparty": "E1"}  # P2.4: the contract's registration date and counterparty
FACTS = {**dict.fromkeys(("P3.1a", "P3.1b", "P3.1c", "P3.2a", "P3.3", "P6.4a", "P6.4b"), RECOGNITION),
         "P3.2b": CONSTRUCTION, "P2.4": REGISTERED}


def fund_with(code: str, manager: str, *investments: tuple[str, str, str]) -> Fund:
    """A fund in memory with direct investments (amount, date, government guidance money), as recorded."""
    fund = Fund.register(by(date(2024, 1, 1)), code, f"{code} 天使基金", manager, D("1000000000"))
    for i, (amount, day, guidance) in enumerate(investments, start=1):
        fund.invest(by(date.fromisoformat(day)), f"{code}-L{i}", f"T{i}", D(amount), D(amount), D(guidance))
    return fund


# A level-based clause reads its level from the recipient's recorded qualifications: the tests of
# amounts and caps record the one the basis names (or the clause's only level) unless it is held.
LEVEL_HELD = {"P3.1a": "national", "P3.2a": "provincial"}
LEVEL_WORDS = {"国家级": "national", "省级": "provincial", "市级": "municipal"}


def holding(clause: str, p: Enterprise, basis: dict[str, str], decided: date = DAY) -> None:
    """Record on ``p`` (in memory) the qualification a level-based award of ``clause`` reads."""
    from domain.rules.levels import CLAUSE_QUALIFICATIONS

    names = CLAUSE_QUALIFICATIONS.get(clause)
    level = LEVEL_WORDS.get(basis.get("level", ""), basis.get("level")) or LEVEL_HELD.get(clause)
    if names is None or level is None or any(p.holds(n, level, decided) for n in names):
        return
    p.qualify(by(date(2024, 11, 5)), names[0], level, date(2024, 11, 5), None)


def calc(clause: str, p: Enterprise, decided: date = DAY, *, amount: str | None = None, reason: str = "",
         ref: str = "R1", taken: tuple[str, ...] = (), facts: bool = True, recorded: dict[str, object] | None = None,
         **basis: str) -> Entitlement:
    if facts:
        basis = {**FACTS.get(clause, {}), **basis}
        holding(clause, p, basis, decided)
    if clause == "P5.3" and recorded is None and "investment" in basis:  # one recorded investment, no guidance money
        recorded = {"fund": fund_with(basis.get("fund", "F1"), p.code,
                                      (basis.pop("investment"), basis.pop("held_since"), "0"))}
    return evaluate(clause, p, basis, decided, parameter_book(), amount=None if amount is None else D(amount),
                    reason=reason, ref=ref, counter_taken=taken, recorded=recorded)


def award(clause: str, p: Enterprise, decided: date = DAY, **kw: str) -> Entitlement:
    """Evaluate and record, as the handler does."""
    e = calc(clause, p, decided, **kw)
    p.grant_award(by(decided), clause, e.amount, matter=e.matter, basis=dict(e.basis), trace=e.trace,
                  versions=list(e.versions))
    return e


def pay_and_claw_back(p: Enterprise, award_id: str, amount: str, day: date = date(2025, 4, 1)) -> None:
    p.disburse(by(day), award_id, D(p.award(award_id).amount))
    p.claw_back(by(day), award_id, D(amount), "多报合同额")


# the rules through a ledger ----------------------------------------------------------------

def register(ledger: Ledger, code: str, kind: str = "enterprise", entered: date = date(2024, 12, 1)) -> None:
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code=code, name=f"{code} 名称",
                                 party_kind=kind, entered=entered))


def record_award(ledger: Ledger, clause: str, recipient: str, decided: date = DAY, request_id: str = "",
                 amount: str | None = None, facts: bool = True, **basis: str) -> Outcome:
    if facts:
        basis = {**FACTS.get(clause, {}), **basis}
    return ledger.execute(AwardByRule(actor=OFFICER, decided=decided, ref="临科发〔2025〕12号", request_id=request_id,
                                      recipient=recipient, clause=clause, basis=basis,
                                      amount=None if amount is None else D(amount)))


def awarded(ledger: Ledger, recipient: str, clause: str, decided: date = DAY, **basis: str) -> Decimal:
    """The amount an award by rule paid."""
    amount: Decimal = record_award(ledger, clause, recipient, decided, **basis).data["amount"]
    return amount


def external(ledger: Ledger, recipient: str, clause: str, matter: str, amount: str = "50000",
             decided: date = date(2025, 2, 1)) -> Outcome:
    return ledger.execute(RecordExternalAward(actor=OFFICER, decided=decided, ref="晋科发〔2025〕8号",
                                              recipient=recipient, clause=clause, matter=matter, amount=D(amount),
                                              source="省级晋创谷政策"))


def log_length(ledger: Ledger) -> int:
    """Positions in the log: a refusal leaves it unchanged."""
    return sum(1 for _ in ledger.read_log())


# 拨投结合 projects ---------------------------------------------------------------------------

def on(day: str, **kw: object) -> dict[str, object]:
    return {"actor": OFFICER, "decided": date.fromisoformat(day), **kw}


def balances(ledger: Ledger) -> dict[str, Decimal]:
    return trial_balance(e for _, e in ledger.read_log())


def setup(ledger: Ledger, *, code: str = "PJ-1", max_stake: str = "25%", trigger: str = "date",
          window: tuple[int, int] = (1, 5), ratio: str = "1", debt: bool = False) -> None:
    ledger.execute(RegisterParty(code="ENT-1", name="临汾光电科技有限公司", party_kind="enterprise",
                                 entered=date(2024, 12, 1), **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F-SEED", name="临汾市天使投资基金", manager="市创业投资基金管理公司",
                                capital=D("50000000.00"), **on("2024-12-01")))
    ledger.execute(RegisterHolders(enterprise="ENT-1", holders=(("张三", "张三", D("3000000")),
                                                                ("李四", "李四", D("2000000"))),
                                   **on("2024-12-02")))
    extra: dict[str, object] = {"debt_rate": "5%", "debt_years": 3} if debt else {}
    ledger.execute(ApproveProject(
        code=code, title="高功率激光器中试", enterprise="ENT-1", fund="F-SEED", amount=D("3000000.00"),
        trigger=trigger, trigger_on=date(2025, 12, 31) if trigger == "date" else None,
        pricing="fixed", pre_money=D("12000000.00"), max_stake=max_stake,
        exit_formula="interest", exit_rate="4%", window_from_years=window[0], window_until_years=window[1],
        ratio=ratio, **extra, **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕5号")))


# P5.6 loans ------------------------------------------------------------------------------

def approval(day: str, **kw: object) -> dict[str, object]:
    """An approval is made by an approver, not by the officer who filed the claim (four-eyes)."""
    return {**on(day, **kw), "actor": APPROVER}


def run(ledger: Ledger, cmd: Command) -> str:
    return str(paid(ledger, cmd).message)


def parties(ledger: Ledger) -> None:
    run(ledger, RegisterParty(code="BANK-JS", name="晋商银行临汾分行", party_kind="bank",
                              entered=date(2024, 11, 6), **on("2024-11-06")))
    run(ledger, RegisterParty(code="ENT-7", name="临汾新材料科技有限公司", party_kind="enterprise",
                              entered=date(2024, 11, 6), **on("2024-11-06")))


def defaulted_loan(ledger: Ledger, code: str = "L1", category: str = "P5.6a", principal: str = "500000.00",
                   repaid: str = "166666.67", loss: str = "333333.33", *, new_parties: bool = True) -> None:
    """Enrolled, disbursed, partly repaid, non-performing, loss declared (``new_parties``: the bank and
    the borrower are registered first; False for a second loan)."""
    if new_parties:
        parties(ledger)
    run(ledger, EnrolLoan(code=code, bank="BANK-JS", borrower="ENT-7", category=category, principal=D(principal),
                          start=date(2025, 1, 10), term_months=24, stage="early" if category == "P5.6b" else "",
                          **on("2025-01-08")))
    run(ledger, DisburseLoan(code=code, amount=D(principal), **on("2025-01-10")))
    run(ledger, RepayLoan(code=code, amount=D(repaid), **on("2025-07-10")))
    run(ledger, ClassifyNonPerforming(code=code, reason="逾期90天", **on("2025-10-10")))
    run(ledger, DeclareLoss(code=code, loss=D(loss), **on("2026-03-01", ref="晋商临〔2026〕5号")))


def loan(ledger: Ledger, code: str = "L1") -> Loan:
    return ledger.aggregate(loan_id(code))


def as_version_1(ledger: Ledger, event: Any, drop: tuple[str, ...], **recorded: Any) -> StoredEvent:
    """The event as a record written before ``drop`` existed (and before class versions), with the
    other fields as that version recorded them (``recorded``)."""
    stored = ledger.mapper.to_stored_event(event)
    transcoder = ledger.mapper.transcoder
    state = transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    for name in drop:
        state.pop(name)
    state.update(recorded)
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, transcoder.encode(state))


def assert_balanced(ledger: Ledger) -> dict[str, Decimal]:
    totals = trial_balance(e for _, e in ledger.read_log())
    assert sum(totals.values(), D("0.00")) == 0
    return totals


# a small recorded history ----------------------------------------------------------------

def record_small_history(ledger: Ledger) -> int:
    """Nine commands: 30 positions after the test officers' registration, whose last position this
    returns (``base``). A command is its events and its request record; a payment is two requests,
    the officer's order (待审核) and the approver's posting (已拨付).

    base +  1-2  register U1 (university)        2025-01-02
               3-4  register E1 (service org)       2025-01-02
               5-6  award U1-A1 P2.4 100,000 市财政  2025-03-01 (2% × contract 5,000,000)
               7-8  award E1-A1 P2.3a 50,000 市财政  2025-04-01 (officer-decided, cap 500,000/yr; the
                    rule book's paying source: an officer cannot book it to 省财政)
              9-14  pay U1-A1 60,000                 2025-05-01 (order 9-11, posted by the approver 12-14)
             15-20  pay E1-A1 50,000                 2025-06-01
             21-22  claw back E1-A1 10,000           2025-09-01 (same year)
             23-28  pay U1-A1 40,000                 2026-02-01
             29-30  claw back U1-A1 5,000            2026-03-01 (later year: revenue)
    """
    base = head(ledger)
    a = {"actor": OFFICER}
    ledger.execute(RegisterParty(code="U1", name="山西师范大学", party_kind="university", entered=date(2025, 1, 1),
                                 decided=date(2025, 1, 2), **a))
    ledger.execute(RegisterParty(code="E1", name="临汾技术转移服务中心", party_kind="service_org",
                                 entered=date(2025, 1, 1), decided=date(2025, 1, 2), **a))
    ledger.execute(AwardByRule(recipient="U1", clause="P2.4", basis={"contract_value": "5,000,000.00",
                                                                     "contract": "2025-140801-0001", **REGISTERED},
                               decided=date(2025, 3, 1), ref="临科发〔2025〕1号", **a))
    ledger.execute(AwardByRule(recipient="E1", clause="P2.3a", amount=D("50000.00"),
                               decided=date(2025, 4, 1), ref="临科发〔2025〕2号", **a))
    paid(ledger, Disburse(recipient="U1", award="U1-A1", amount=D("60000"), decided=date(2025, 5, 1), **a))
    paid(ledger, Disburse(recipient="E1", award="E1-A1", amount=D("50000"), decided=date(2025, 6, 1), **a))
    ledger.execute(ClawBack(recipient="E1", award="E1-A1", amount=D("10000"), reason="考核不合格",
                            decided=date(2025, 9, 1), ref="临科发〔2025〕9号", **a))
    paid(ledger, Disburse(recipient="U1", award="U1-A1", amount=D("40000"), decided=date(2026, 2, 1), **a))
    ledger.execute(ClawBack(recipient="U1", award="U1-A1", amount=D("5000"), reason="审计追回",
                            decided=date(2026, 3, 1), ref="临审〔2026〕3号", **a))
    return base


# every lifecycle (read models, Beancount export) ------------------------------------------

def lifecycle_project(code: str, enterprise: str, fund: str, amount: str, pre_money: str, clause: str = "P2.2",
            early_stage: bool = True, day: str = "2025-01-10") -> ApproveProject:
    """A P2.2/P6.1 project approved by APPROVER, priced at a fixed pre-money valuation."""
    return ApproveProject(
        code=code, title=f"项目{code}", clause=clause, enterprise=enterprise, fund=fund, amount=D(amount),
        trigger="date", trigger_on=date(int(day[:4]), 12, 31), pricing="fixed", pre_money=D(pre_money), max_stake="25%",
        exit_formula="interest", exit_rate="4%", window_from_years=1, window_until_years=5,
        early_stage=early_stage, **on(day, actor=APPROVER, ref=f"临科发〔{day[:4]}〕{code}号"))


def record_lifecycles(ledger: Ledger) -> None:
    """A grant; the worked example (PJ-1: 3,000,000 in two tranches, converted at pre-money
    12,000,000 → 20 %, bought back for 3,240,000, gain 240,000); a converted project that
    fails and is written off (PJ-2: 1,000,000); an unconverted project that fails with
    misuse, 100,000 clawed back (PJ-3, fund F-2); a P6.1 reassignment of 200,000 from PJ-4 to
    PJ-5 (the same team); projects releasing their unpaid grant (PJ-6 fails, PJ-5 finishes);
    and a P5.6a loan compensated in part with a recovery of 100,000. Payments are recorded and then
    posted by an approver (tests.posting.paid)."""
    def run(command: Command) -> object:
        return paid(ledger, command)

    for code, kind in (("ENT-1", "enterprise"), ("ENT-2", "enterprise"), ("U1", "university"), ("BANK-1", "bank")):
        run(RegisterParty(code=code, name=f"{code} 名称", party_kind=kind, entered=date(2024, 12, 1),
                          **on("2024-12-01")))
    run(AwardByRule(recipient="U1", clause="P2.4",  # 2 % → 100,000
                    basis={"contract_value": "5000000.00", "contract": "2025-140801-0002", **REGISTERED},
                    **on("2025-03-01", ref="临科发〔2025〕1号")))
    run(Disburse(recipient="U1", award="U1-A1", amount=D("100000.00"), **on("2025-04-01")))
    run(RegisterFund(code="F-SEED", name="临汾市天使投资基金", manager="M", capital=D("50000000.00"),
                     **on("2024-12-01")))
    run(RegisterFund(code="F-2", name="种子基金", manager="M", capital=D("1000000.00"), **on("2024-12-01")))
    run(RegisterHolders(enterprise="ENT-1", holders=(("张三", "张三", D("3000000")), ("李四", "李四", D("2000000"))),
                        **on("2024-12-02")))
    run(RegisterHolders(enterprise="ENT-2", holders=(("王五", "王五", D("1000000")),), **on("2024-12-02")))

    run(lifecycle_project("PJ-1", "ENT-1", "F-SEED", "3000000.00", "12000000.00"))
    run(PayTranche(project="PJ-1", amount=D("1500000.00"), voucher="付-1", **on("2025-02-01")))
    run(PayTranche(project="PJ-1", amount=D("1500000.00"), voucher="付-2", **on("2025-08-01")))
    run(lifecycle_project("PJ-2", "ENT-2", "F-SEED", "1000000.00", "4000000.00"))
    run(PayTranche(project="PJ-2", amount=D("1000000.00"), **on("2025-02-01")))
    run(lifecycle_project("PJ-3", "ENT-2", "F-2", "300000.00", "4000000.00"))
    run(PayTranche(project="PJ-3", amount=D("300000.00"), **on("2025-03-01")))
    run(lifecycle_project("PJ-4", "ENT-1", "F-SEED", "500000.00", "12000000.00", early_stage=False))
    run(PayTranche(project="PJ-4", amount=D("500000.00"), **on("2025-03-01")))

    run(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    run(ConvertProject(project="PJ-1", **on("2026-01-05", ref="临科发〔2026〕1号")))
    run(RecordTrigger(project="PJ-2", **on("2026-01-05")))
    run(ConvertProject(project="PJ-2", **on("2026-01-05", ref="临科发〔2026〕2号")))
    run(FailProject(project="PJ-3", reason="技术路线失败", misuse="挪用", clawback=D("100000.00"),
                    **on("2026-02-01", ref="临科发〔2026〕3号")))
    run(lifecycle_project("PJ-5", "ENT-1", "F-SEED", "300000.00", "12000000.00", clause="P6.1", early_stage=False,
                day="2026-05-01"))
    run(FinishProject(project="PJ-4", **on("2026-05-20", ref="临科验〔2026〕4号")))  # P6.1: finished first
    run(ReassignUnspent(project="PJ-4", target="PJ-5", amount=D("200000.00"), **on("2026-06-01", ref="临科发〔2026〕6号")))
    run(FailProject(project="PJ-2", reason="市场失败", **on("2027-03-01", ref="临科发〔2027〕1号")))
    run(BuyBack(project="PJ-1", buyer="张三", **on("2028-01-05", ref="临科发〔2028〕2号")))
    # released commitments: PJ-6 fails with 250,000 of its 400,000 unpaid; PJ-5 finishes with its own
    # 300,000 never paid (it spent the 200,000 reassigned in)
    run(lifecycle_project("PJ-6", "ENT-2", "F-2", "400000.00", "4000000.00", early_stage=False, day="2027-02-01"))
    run(PayTranche(project="PJ-6", amount=D("150000.00"), **on("2027-03-01")))
    run(FailProject(project="PJ-6", reason="技术路线失败", **on("2027-09-01", ref="临科发〔2027〕9号")))
    run(FinishProject(project="PJ-5", spent=D("200000.00"), **on("2028-02-01", ref="临科验〔2028〕5号")))

    run(EnrolLoan(code="L1", bank="BANK-1", borrower="ENT-1", category="P5.6a", principal=D("500000.00"),
                  start=date(2025, 1, 10), term_months=24, **on("2025-01-08")))
    run(DisburseLoan(code="L1", amount=D("500000.00"), **on("2025-01-10")))
    run(RepayLoan(code="L1", amount=D("166666.67"), **on("2025-07-10")))
    run(ClassifyNonPerforming(code="L1", reason="逾期90天", **on("2025-10-10")))
    run(DeclareLoss(code="L1", loss=D("333333.33"), **on("2026-03-01", ref="行〔2026〕5号")))
    run(ClaimCompensation(code="L1", **on("2026-03-10")))
    run(ApproveCompensation(code="L1", **on("2026-03-20", ref="临财〔2026〕8号", actor=APPROVER)))
    run(PayCompensation(code="L1", payer=PROVINCE, **on("2026-04-01")))
    run(PayCompensation(code="L1", payer=CITY, amount=D("50000.00"), **on("2026-04-02")))
    run(PayCompensation(code="L1", payer=CITY, **on("2026-05-02")))  # the rest: recoveries follow full payment
    run(RecordRecovery(code="L1", amount=D("100000.00"), **on("2026-06-01")))


# the database edited behind the ledger's back (tamper tests) ---------------------------------

class RawStore:
    """The event table, edited directly (positions are SQLite rowids / PostgreSQL notification ids)."""

    def __init__(self, url: str, table: str):
        self.url, self.table = url, table
        if url.startswith("sqlite:///"):
            self.conn: Any = sqlite3.connect(url[len("sqlite:///"):])
            self.conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")  # TEXT-ified ciphertext too
            self.pos, self.m = "rowid", "?"
        else:
            parsed = urlparse(url)
            schema = parse_qs(parsed.query)["schema"][0]
            self.conn = psycopg.connect(url.split("?")[0], autocommit=True)
            self.table = f'"{schema}".{table}'
            self.pos, self.m = "notification_id", "%s"

    def run(self, sql: str, *args: Any) -> list[Any]:
        cur = self.conn.execute(sql.format(t=self.table, pos=self.pos, m=self.m), args)
        rows = cur.fetchall() if cur.description else []
        self.conn.commit()
        return rows

    def rows(self) -> list[tuple[int, Any, int, str, bytes]]:
        return [(r[0], r[1], r[2], r[3], raw_state(r[4])) for r in
                self.run("SELECT {pos}, originator_id, originator_version, topic, state FROM {t} ORDER BY {pos}")]

    def close(self) -> None:
        self.conn.close()


def raw_state(state: Any) -> bytes:
    return state.encode("utf-8", "surrogateescape") if isinstance(state, str) else bytes(state)


def writing_commands() -> list[tuple[tuple[str, ...], click.Command]]:
    """(path, command) of every command that writes, read from the CLI."""
    ctx = click.Context(cli.main)
    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))
            elif command is not None:
                names = {p.name for p in command.params}
                if names & {"decided", "request_id"} or (*prefix, name) in {("grant", "import"),
                                                                             ("audit", "checkpoint")}:
                    found.append(((*prefix, name), command))

    walk(cli.main, ())
    return found


# English words in what the ledger prints (a Chinese session, tests/test_chinese_*.py) -------------

# Words that are codes, units or names of things, not English sentences: command and option
# names quoted in messages, formats, standards, ids of keys and the like.
ALLOWED = {
    "jcg", "csv", "json", "xlsx", "utf", "sqlite", "postgresql", "merkle", "rfc", "ed25519", "base64",
    "ok", "id", "vs", "pdf",
}
WORD = re.compile(r"(?<![\w.\-:/=@$])[A-Za-z]{2,}(?![\w.\-:/=@])")
HASH = re.compile(r"(?<![\w+/])(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{16,}={0,2}")  # base64 roots, signatures


def english_words(text: str) -> Counter[str]:
    """Words of two or more Latin letters standing alone (not inside a code like ENT-1, P2.4, U1-A1,
    `--amount` or a path, nor in a base64 hash), other than ALLOWED."""
    words: Counter[str] = Counter()
    text = HASH.sub("", text)
    text = re.sub(r"jcg( [a-z][a-z-]*)+", "", text)  # a command named in a message is a code
    for line in text.splitlines():
        for token in WORD.findall(line):
            if token.lower() not in ALLOWED and not token.isupper():  # FILE, CODE: metavars and codes
                words[token] += 1
    return words
