"""Steps of payment references, payment orders (待审核 → 已拨付 / 作废) and award voids.

These steps record an order as it is, without the automatic posting the other features' payment
steps do (tests.posting.paid), so a scenario can show the second person at work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytest_bdd import then, when

from domain.enterprise import Enterprise
from domain.errors import Refused
from domain.ids import party_id
from ledger.commands import Command
from ledger.handlers.grants import Disburse, VoidAward
from ledger.handlers.loans import PayCompensation, RecordRecovery, WithdrawClaim
from ledger.handlers.payments import PostPayment, ReversePayment, VoidPayment
from ledger.handlers.projects import PayTranche
from tests.conftest import OFFICER
from tests.steps.common import REFUSALS
from tests.steps.types import step
from tests.steps.world import World

SOURCE = "市财政"
REFUSALS.update({
    "已据以返还追偿款的付款须先冲销追偿": "请先冲销追偿",
    "已转股的拨款不能冲销": "已转换的拨款不能冲销",
    "已支付补偿的申请不能撤回": "请先冲销付款或作废指令",
})


def _raw(world: World, command: Command) -> None:
    """Run one request as it is (an order stays pending), remembering the outcome or refusal."""
    world.log_before = world.log_size()
    world.outcome, world.refusal = None, None
    try:
        world.outcome = world.ledger.execute(command)
    except Refused as exc:
        world.refusal = exc


def _order(world: World, actor: str, voucher: str, award: str, amount: Decimal, day: date) -> None:
    _raw(world, Disburse(actor=actor, decided=day, recipient=award.rpartition("-A")[0], award=award, amount=amount,
                         voucher=voucher))


@when(step('经办人以凭证号 "{voucher}" 录入奖励 "{award}" 的付款指令 {amount:Yuan}, 决定日期 {day:Date}'))
def when_officer_orders(world: World, voucher: str, award: str, amount: Decimal, day: date) -> None:
    _order(world, OFFICER, voucher, award, amount, day)


@when(step('审批人 "{actor}" 以凭证号 "{voucher}" 录入奖励 "{award}" 的付款指令 {amount:Yuan}, 决定日期 {day:Date}'))
def when_approver_orders(world: World, actor: str, voucher: str, award: str, amount: Decimal, day: date) -> None:
    _order(world, actor, voucher, award, amount, day)


@when(step('审批人 "{actor}" 复核拨付凭证 "{voucher}", 决定日期 {day:Date}'))
def when_posted(world: World, actor: str, voucher: str, day: date) -> None:
    _raw(world, PostPayment(actor=actor, decided=day, source=SOURCE, reference=voucher))


@when(step('审批人 "{actor}" 作废付款凭证 "{voucher}", 原因 "{reason}", 决定日期 {day:Date}'))
def when_order_voided(world: World, actor: str, voucher: str, reason: str, day: date) -> None:
    _raw(world, VoidPayment(actor=actor, decided=day, source=SOURCE, reference=voucher, reason=reason))


@when(step('撤销奖励 "{award}" 的未拨付部分, 原因 "{reason}", 决定日期 {day:Date}, 文号 "{ref}"'))
def when_award_voided(world: World, award: str, reason: str, day: date, ref: str) -> None:
    _raw(world, VoidAward(actor=OFFICER, decided=day, ref=ref, recipient=award.rpartition("-A")[0], award=award,
                          reason=reason))


@when(step('撤销奖励 "{award}" 的未拨付部分, 原因 "{reason}", 决定日期 {day:Date}, 未附文号'))
def when_award_voided_without_ref(world: World, award: str, reason: str, day: date) -> None:
    _raw(world, VoidAward(actor=OFFICER, decided=day, recipient=award.rpartition("-A")[0], award=award,
                          reason=reason))


@then(step('付款指令 "{voucher}" 待审核, "{award}" 已拨付 {paid:Yuan}'))
def then_order_pending(world: World, voucher: str, award: str, paid: Decimal) -> None:
    outcome = world.require_outcome()
    assert outcome.data.get("status") == "pending" and outcome.data.get("payment") == voucher, outcome.message
    a = _party(world, award.rpartition("-A")[0]).award(award)
    assert a.disbursed == paid and a.pending == Decimal(outcome.data["amount"]), (a.disbursed, a.pending)


@then(step('"{code}" 在 {year:d} 年度 {clause:Word} 的剩余额度为 {amount:Yuan}'))
def then_cap_remaining(world: World, code: str, year: int, clause: str, amount: Decimal) -> None:
    from projections import reports
    from projections.runner import fold

    report = reports.caps(fold(world.ledger, report="caps")[0].rows)
    names = [c.name for c in report.columns]
    rows = [dict(zip(names, r, strict=True)) for r in report.rows]
    row = next(r for r in rows if r["clause"] == clause and r["recipient"] == code and str(year) in str(r["scope"]))
    assert row["remaining"] == amount, row


# corrections of loan steps and tranches (红字冲销) ---------------------------------------------------


@when(step('以凭证号 "{voucher}" 由{payer}向银行支付贷款 "{code}" 的补偿 {amount:Yuan}, 决定日期 {day:Date}'))
def when_paid_under(world: World, voucher: str, payer: str, code: str, amount: Decimal, day: date) -> None:
    world.submit(PayCompensation(actor=OFFICER, decided=day, code=code, payer=payer, amount=amount, voucher=voucher))


@when(step('以回单号 "{receipt}" 记录贷款 "{code}" 补偿后银行追回 {amount:Yuan}, 决定日期 {day:Date}'))
def when_recovered_under(world: World, receipt: str, code: str, amount: Decimal, day: date) -> None:
    world.submit(RecordRecovery(actor=OFFICER, decided=day, code=code, amount=amount, receipt=receipt))


@when(step('以凭证号 "{voucher}" 于 {day:Date} 拨付项目 "{code}" 资金 {amount:Yuan}'))
def when_tranche_under(world: World, voucher: str, day: date, code: str, amount: Decimal) -> None:
    world.submit(PayTranche(actor=OFFICER, decided=day, project=code, amount=amount, voucher=voucher))


@when(step('审批人 "{actor}" 冲销资金来源 "{source}" 的凭证 "{voucher}", 原因 "{reason}", 决定日期 {day:Date}, '
           '文号 "{ref}"'))
def when_reversed(world: World, actor: str, source: str, voucher: str, reason: str, day: date, ref: str) -> None:
    _raw(world, ReversePayment(actor=actor, decided=day, ref=ref, source=source, reference=voucher, reason=reason))


@when(step('审批人 "{actor}" 撤回贷款 "{code}" 的补偿申请, 原因 "{reason}", 决定日期 {day:Date}, 文号 "{ref}"'))
def when_claim_withdrawn(world: World, actor: str, code: str, reason: str, day: date, ref: str) -> None:
    _raw(world, WithdrawClaim(actor=actor, decided=day, ref=ref, code=code, reason=reason))


@then(step('审计记录中 "{entity}" 的 "{corrected}" 之后是 "{correction}"'))
def then_trail_shows(world: World, entity: str, corrected: str, correction: str) -> None:
    from projections import reports
    from projections.runner import fold

    events = [r[2] for r in reports.trail(fold(world.ledger, report="trail")[0].rows, entity).rows]
    corrected, correction = TRAIL_EVENTS[corrected], TRAIL_EVENTS[correction]
    assert corrected in events and correction in events[events.index(corrected):], events


# events of `audit trail` by the words a feature uses
TRAIL_EVENTS = {"补偿付款": "CompensationPaid", "补偿付款冲销": "PaymentReversed", "补偿核准": "CompensationApproved",
                "补偿申请撤回": "ClaimWithdrawn", "拨款": "TranchePaid", "拨款冲销": "TrancheReversed"}


def _party(world: World, code: str) -> Enterprise:
    return world.ledger.aggregate(party_id(code))
