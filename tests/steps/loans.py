"""Steps for P5.6 loan-loss compensation: enrolment, default, loss, claim, approval, payment, recovery.

Claims are filed by the officer (OFFICER) and approved by the approver (APPROVER): four-eyes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pytest_bdd import given, then, when

from domain.compensation import BANK
from domain.ids import loan_id
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
from tests.conftest import APPROVER, OFFICER, independent_approver
from tests.steps.common import REFUSALS
from tests.steps.rules import DEFAULT_DECIDED
from tests.steps.types import step
from tests.steps.world import World

# refusals of the P5.6 four-eyes and recovery rules, by their Chinese names in the features
REFUSALS.update({
    "审批需要审批人": "批准 P5.6 补偿申请需要审批人",
    "申请人不能自己批准": "不能再批准",
    "补偿未付清不能追回": "补偿全额支付后才返还回收款",
    "早于已记录的资金变动": "早于该贷款最近一次资金变动",
    "损失早于列为不良": "早于认定不良",
})


def _common(world: World, actor: str = OFFICER) -> dict[str, Any]:
    return {"actor": actor, "decided": world.notes.get("decided", DEFAULT_DECIDED),
            "ref": world.notes.get("ref", "临金〔2025〕1号")}


@given(step('"{bank}" 向 "{borrower}" 发放贷款 "{code}" 已纳入 {clause:Word} 风险补偿, 本金 {principal:Yuan}, '
            "起始 {start:Date}, 期限 {months:d} 个月"))
def given_loan(world: World, bank: str, borrower: str, code: str, clause: str, principal: Decimal, start: date,
               months: int) -> None:
    world.setup(EnrolLoan(bank=bank, borrower=borrower, code=code, category=clause, principal=principal,
                          start=start, term_months=months, **_common(world)))
    world.setup(DisburseLoan(code=code, amount=principal, **_common(world)))


@given(step('"{bank}" 向处于{stage}的 "{borrower}" 发放贷款 "{code}" 已纳入 {clause:Word} 风险补偿, '
            "本金 {principal:Yuan}, 起始 {start:Date}, 期限 {months:d} 个月"))
def given_staged_loan(world: World, bank: str, stage: str, borrower: str, code: str, clause: str, principal: Decimal,
                      start: date, months: int) -> None:
    """P5.6b: the borrower's stage (早期、初创期) is a required fact of the loan."""
    world.setup(EnrolLoan(bank=bank, borrower=borrower, code=code, category=clause, principal=principal,
                          start=start, term_months=months, stage=stage,
                          **_common(world)))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields
    world.setup(DisburseLoan(code=code, amount=principal, **_common(world)))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields


@given(step('贷款 "{code}" 已还本 {amount:Yuan}'))
def given_repaid(world: World, code: str, amount: Decimal) -> None:
    world.setup(RepayLoan(code=code, amount=amount, **_common(world)))


@given(step('贷款 "{code}" 已列为不良'))
def given_non_performing(world: World, code: str) -> None:
    world.setup(ClassifyNonPerforming(code=code, reason="逾期90天", **_common(world)))


@when(step("决定日期改为 {day:Date}"))
def when_decided(world: World, day: date) -> None:
    """The decision date of the steps that follow (loan steps are checked in date order)."""
    world.notes["decided"] = day


@when(step('贷款 "{code}" 还本 {amount:Yuan}'))
def when_repaid(world: World, code: str, amount: Decimal) -> None:
    world.submit(RepayLoan(code=code, amount=amount, **_common(world)))


@when(step('贷款 "{code}" 列为不良'))
def when_non_performing(world: World, code: str) -> None:
    world.submit(ClassifyNonPerforming(code=code, reason="逾期90天", **_common(world)))


@given(step('银行已确认贷款 "{code}" 追偿已尽, 本金损失 {loss:Yuan}'))
def given_loss(world: World, code: str, loss: Decimal) -> None:
    world.setup(DeclareLoss(code=code, loss=loss, **_common(world)))


@when(step('银行确认贷款 "{code}" 追偿已尽, 本金损失 {loss:Yuan}'))
def when_loss(world: World, code: str, loss: Decimal) -> None:
    world.submit(DeclareLoss(code=code, loss=loss, **_common(world)))


@given(step('已为贷款 "{code}" 申请并批准风险补偿'))
def given_claimed_and_approved(world: World, code: str) -> None:
    world.setup(ClaimCompensation(code=code, **_common(world)))
    world.setup(ApproveCompensation(code=code, **_common(world, APPROVER)))


@given(step('审批人已为贷款 "{code}" 申请风险补偿'))
def given_claimed_by_the_approver(world: World, code: str) -> None:
    world.setup(ClaimCompensation(code=code, **_common(world, APPROVER)))


@given(step('省财政和市财政已全额支付贷款 "{code}" 的补偿'))
def given_paid_in_full(world: World, code: str) -> None:
    for who in ("省财政", "市财政"):
        world.setup(PayCompensation(code=code, payer=who, **_common(world)))


@when(step('为贷款 "{code}" 申请风险补偿'))
def when_claim(world: World, code: str) -> None:
    world.submit(ClaimCompensation(code=code, **_common(world)))


@when(step('为贷款 "{code}" 以{basis}申请风险补偿 {loss:Yuan}'))
def when_claim_basis(world: World, code: str, basis: str, loss: Decimal) -> None:
    world.submit(ClaimCompensation(code=code, loss=loss, basis=basis, **_common(world)))


@when(step('为贷款 "{code}" 申请风险补偿, 省级比例 {province}, 市级比例 {city}'))
def when_claim_rates(world: World, code: str, province: str, city: str) -> None:
    world.submit(ClaimCompensation(code=code, province_rate=_rate(province), city_rate=_rate(city),
                                   **_common(world)))


def _rate(text: str) -> Decimal:
    return Decimal(text.rstrip("%")) / 100


@when(step('批准贷款 "{code}" 的风险补偿'))
def when_approve(world: World, code: str) -> None:
    world.submit(ApproveCompensation(code=code, **_common(world, APPROVER)))


@when(step('经办人批准贷款 "{code}" 的风险补偿'))
def when_officer_approves(world: World, code: str) -> None:
    world.submit(ApproveCompensation(code=code, **_common(world)))


@given(step('另有审批人 "{name}"'))
def given_second_approver(world: World, name: str) -> None:
    independent_approver(world.ledger, name)  # not registered by the filer (two people)


@when(step('审批人 "{name}" 批准贷款 "{code}" 的风险补偿'))
def when_named_approver_approves(world: World, name: str, code: str) -> None:
    world.submit(ApproveCompensation(code=code, **_common(world, name)))


@when(step('{payer} 向银行支付贷款 "{code}" 的补偿 {amount:Yuan}'))
def when_pay(world: World, payer: str, code: str, amount: Decimal) -> None:
    world.submit(PayCompensation(code=code, payer=payer, amount=amount, **_common(world)))


@when(step('贷款 "{code}" 补偿后银行追回 {amount:Yuan}'))
def when_recover(world: World, code: str, amount: Decimal) -> None:
    world.submit(RecordRecovery(code=code, amount=amount, **_common(world)))


@then(step("分担为 省财政 {province:Yuan}, 市财政 {city:Yuan}, 银行 {bank:Yuan}"))
def then_shares(world: World, province: Decimal, city: Decimal, bank: Decimal) -> None:
    data = world.require_outcome().data
    assert (Decimal(data["省财政"]), Decimal(data["市财政"]), Decimal(data[BANK])) == (province, city, bank), data


@then(step('{payer} 对贷款 "{code}" 尚欠银行 {amount:Yuan}'))
def then_owed(world: World, payer: str, code: str, amount: Decimal) -> None:
    assert world.ledger.aggregate(loan_id(code)).owed(payer) == amount
