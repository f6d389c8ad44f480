"""Builders shared by the tests: parties, awards and external awards on an Enterprise in memory
(the rules' unit tests) or through a ledger, projects, loans and a small recorded history.

One module so a test file never imports another test file; fixtures stay in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

import pytest

from domain.enterprise import Enterprise
from domain.ids import loan_id
from domain.journal import trial_balance
from domain.loan import Loan
from domain.parameters import parameter_book
from domain.provenance import Provenance
from domain.rules import Entitlement, evaluate
from ledger import Ledger
from ledger.commands import Command, Outcome
from ledger.handlers.funds import RegisterFund
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.loans import ClassifyNonPerforming, DeclareLoss, DisburseLoan, EnrolLoan, RepayLoan
from ledger.handlers.parties import RegisterParty
from ledger.handlers.projects import ApproveProject, RegisterHolders
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


def calc(clause: str, p: Enterprise, decided: date = DAY, *, amount: str | None = None, reason: str = "",
         ref: str = "R1", taken: tuple[str, ...] = (), **basis: str) -> Entitlement:
    return evaluate(clause, p, basis, decided, parameter_book(), amount=None if amount is None else D(amount),
                    reason=reason, ref=ref, counter_taken=taken)


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
                 amount: str | None = None, **basis: str) -> Outcome:
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
                   repaid: str = "166666.67", loss: str = "333333.33") -> None:
    """Enrolled, disbursed, partly repaid, non-performing, loss declared."""
    parties(ledger)
    run(ledger, EnrolLoan(code=code, bank="BANK-JS", borrower="ENT-7", category=category, principal=D(principal),
                          start=date(2025, 1, 10), term_months=24, **on("2025-01-08")))
    run(ledger, DisburseLoan(code=code, amount=D(principal), **on("2025-01-10")))
    run(ledger, RepayLoan(code=code, amount=D(repaid), **on("2025-07-10")))
    run(ledger, ClassifyNonPerforming(code=code, reason="逾期90天", **on("2025-10-10")))
    run(ledger, DeclareLoss(code=code, loss=D(loss), **on("2026-03-01", ref="晋商临〔2026〕5号")))


def loan(ledger: Ledger, code: str = "L1") -> Loan:
    return ledger.aggregate(loan_id(code))


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
               7-8  award E1-A1 P2.3a 50,000 省财政  2025-04-01 (officer-decided, cap 500,000/yr)
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
                                                                     "contract": "2025-140801-0001"},
                               decided=date(2025, 3, 1), ref="临科发〔2025〕1号", **a))
    ledger.execute(AwardByRule(recipient="E1", clause="P2.3a", amount=D("50000.00"), source="省财政",
                               decided=date(2025, 4, 1), ref="临科发〔2025〕2号", **a))
    paid(ledger, Disburse(recipient="U1", award="U1-A1", amount=D("60000"), decided=date(2025, 5, 1), **a))
    paid(ledger, Disburse(recipient="E1", award="E1-A1", amount=D("50000"), decided=date(2025, 6, 1), **a))
    ledger.execute(ClawBack(recipient="E1", award="E1-A1", amount=D("10000"), reason="考核不合格",
                            decided=date(2025, 9, 1), ref="临科发〔2025〕9号", **a))
    paid(ledger, Disburse(recipient="U1", award="U1-A1", amount=D("40000"), decided=date(2026, 2, 1), **a))
    ledger.execute(ClawBack(recipient="U1", award="U1-A1", amount=D("5000"), reason="审计追回",
                            decided=date(2026, 3, 1), ref="临审〔2026〕3号", **a))
    return base
