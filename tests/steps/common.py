"""Steps every feature shares: parties, awards, payments, clawbacks, refusals, the journal.

Every step drives the real application (`Ledger.execute`) on the scenario's fresh ledger.
Awards go through the rules engine like every award (`AwardByRule`): a step names the amount
the officer states and the basis it comes from (`奖励 15万元, ..., 依据: 合同技术交易额 750万元`);
the engine computes the entitlement from the basis and refuses a stated amount that differs.
Refusals are named in Chinese in the features; REFUSALS maps each name to the words the
ledger's one-line error must contain, so the feature stays readable and the check stays exact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from click.testing import Result
from pytest_bdd import given, then, when

from domain.enterprise import Enterprise
from domain.ids import party_id
from domain.journal import budget, funding, payable, returned
from domain.money import fmt, parse_yuan
from ledger import Ledger
from ledger.handlers.grants import ClawBack, Disburse
from ledger.handlers.parties import GrantQualification, RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.steps.types import step
from tests.steps.wording import PARAMETER_NAMES, printed, translated
from tests.steps.world import World

POLICY_START = date(2024, 11, 5)

# Chinese name of a refusal → words the ledger's error line must contain.
REFUSALS: dict[str, str | tuple[str, ...]] = {
    "决定日期不在政策有效期内": "is outside the policy window",
    "受益单位未登记": "is not registered",
    "代码已登记": "is already registered",
    "拨付超过未拨付余额": "exceeds what remains to pay",
    "凭证号已被先前的记录使用": "is already used by an earlier record",
    "认定级别高于已登记的资质": "is not held by",
    "未登记相应级别的资质": "record the qualification first",
    "录入人不能复核本人的付款指令": "cannot approve it too",
    "奖励已全部拨付, 无未拨付部分可撤销": "nothing unpaid to void",
    "追回超过已拨付未追回金额": "exceeds what was paid and not yet recovered",
    "追回未说明原因": "needs a reason",
    "缺少决定文号": "needs a decision reference",
    "请求号已用于不同内容的请求": "was already used for a different request",
    "条款无资金规则": "has no rule in the engine",
    "条款编号不存在": "unknown clause",
    "拨付日期早于奖励决定": "is before the award",
    "金额必须为正": "must be positive",
    "金额超过两位小数": "more than 2 decimals",
    # the rules engine
    "超过上限": "exceeds the cap",
    "低于下限": "is below the floor",
    "超过年度累计上限": "is used up",
    "超过累计上限": "is used up",
    "就高不重复, 已获得不低于本次的金额": "G.3 就高不重复",
    "受益单位类型不符": "the clause pays",
    "未设定技术经纪人奖励比例": "is not set",
    "租金补贴已满3年": "at most 3 years",
    "支持比例低于50%": "is below the floor of 50%",
    "支持比例超过100%": "is above 100%",
    "超出连续3年": "consecutive years",
    "一事一议缺少文号或理由": "一事一议 needs a decision reference",
    "须由经办人给出金额": "the amount is decided by the officer",
    "金额与计算结果不符": "differs from the computed entitlement",
    "基础数据不合规": "must be one of",
    "年产值未超过1亿元": "does not exceed 100,000,000",
    "未缴纳社保": "social insurance is not paid",
    "劳动合同不足三年": "is shorter than 3",
    "年度名额已满": "at most 10",
    "已入选本年度": ("is already one of the", "already has a place"),
    "投资额不足1000万元": "below 10,000,000",
    "投资未满1年": "after deducting government guidance money is 0.00",
    "基金未登记": "is not registered (its recorded investments are the basis)",
    "奖励比例超过2%": "exceeds 2%",
    "项目绩效不正常": "not performing normally",
    "考核不是优秀": "is not excellent",
    "入驻未满一年": "eligible from",
    "上年度未通过高新技术企业认定": "qualification granted in",
    # the rules engine: conditions, rent years, contracts, one-time clauses, matters
    "未通过年度考核": "the annual assessment is not passed (经年度考核)",
    "挂牌未融资成功": "the financing did not succeed (挂牌并融资成功)",
    "不是民营企业": "is not a private enterprise (民营企业)",
    "不是高科技领军企业": "is not a high-tech leading enterprise (高科技领军企业)",
    "租金年度晚于决定年度": "is after the decision year",
    "租金年度早于政策施行": "is before the policy's start year",
    "租金年度早于入驻": "entered the platform",
    "缺少合同编号": "basis contract is required",
    "缺少登记日期": "basis registered_on is required",
    "缺少合同相对方": "basis counterparty is required",
    "登记日期晚于决定日期": "(技术合同经认定登记后)",
    "合同已在以前年度补贴": "a later year cannot top it up",
    "一次性奖励已发放": "a second award is refused",
    "事项键格式不符": "that G.3 matches",
    # the rules engine: officer amounts within caps, assessment and financing years
    "经办人确定的金额超过剩余额度": "remaining of the",
    # subjects with an identity, G.3 for every clause, eligibility facts (second policy pass)
    "分担金额超过剩余金额": "that remains on",
    "缺少省拨经费": "basis provincial_allocation is required",
    "缺少认定日期": "basis recognised_on is required",
    "缺少是否首次认定": "basis first_recognition is required",
    "不是首次认定": "新认定/首次认定 is required",
    "认定日期晚于决定日期": "after the decision date",
    "不是自费培训": "was not self-paid",
    "证书不是山西省基地颁发": "the certificate was not issued by",
    "缺少证书编号": "basis certificate is required",
    "绩效评价未通过": "the performance evaluation is not passed",
    "研发支出不在建设期内": "is outside the construction period",
    "缺少研发经费支出": "basis rd_spending is required",
    "缺少保单号": "basis policy is required",
    "缺少创新券编号": "basis voucher is required",
    "缺少工作站编号": "basis workstation is required",
    "修订将改变已作出决定所用的取值": "would change the value used by",
    "入驻晚于决定日期": "after the decision",
    "修订只能新增以后生效的取值": "can only add a value from a later date",
    "修订须由审批人作出": "needs an approver",
    "年度晚于决定年度": "is after the decision year",
    "年度早于政策施行": "is before the policy's start year",
    # 拨投结合 projects and funds
    "拨付超过项目资金": "exceeds what remains of the grant",
    "转股条件未满足": "no conversion without its trigger",
    "转股金额超过已拨付": "converted must not exceed disbursed",
    "持股超过约定上限": "above the agreed maximum",
    "不在约定回购期内": "outside the agreed window",
    "回购超过基金持有份额": "the fund holds",
    "无挪用不追回": "not recovered unless misuse is recorded",
    "统筹金额超过结余": "unspent fiscal money is",
    # loans and P5.6 compensation
    "只补偿本金损失": "covers principal (本金) losses only",
    "损失大于未还本金": "is larger than the unrepaid principal",
    "同一损失已申请补偿": "a loss is compensated once",
    "贷款未纳入风险补偿": "loan LN-9 is not registered",
    "支付超过批准的份额": "exceeds what was approved and not yet paid",
    "追回超过未弥补的损失": "is larger than the loss still outstanding",
    "省市合计超过90%": "exceeds the 90% ceiling",
}


def refusal_matches(reason: str, message: str) -> bool:
    expected = REFUSALS[reason]
    return any(words in message for words in ((expected,) if isinstance(expected, str) else expected))


@pytest.fixture
def world(ledger: Ledger, jcg: Callable[..., Result], ledger_url: str) -> World:
    """A fresh ledger per scenario (SQLite, and PostgreSQL when on), with the officers provisioned."""
    w = World(ledger=ledger, jcg=jcg)
    w.notes["url"] = ledger_url
    return w


def register(world: World, code: str, name: str, kind_name: str, entered: date) -> None:
    world.setup(RegisterParty(actor=OFFICER, decided=max(entered, POLICY_START), code=code, name=name,
                              party_kind=kind_name, entered=entered))


def party(world: World, code: str) -> Enterprise:
    return world.ledger.aggregate(party_id(code))


# given ----------------------------------------------------------------------------------


@given(step('已登记{kind_name} "{code}" {name:Word}, 入驻日期 {entered:Date}'))
def given_party(world: World, kind_name: str, code: str, name: str, entered: date) -> None:
    register(world, code, name, kind_name, entered)


@given(step('已登记{kind_name} "{code}" {name:Word}'))
def given_party_default_entry(world: World, kind_name: str, code: str, name: str) -> None:
    register(world, code, name, kind_name, POLICY_START)


@given("已登记以下单位:")
def given_parties(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    for row in rows:
        r = dict(zip(header, row, strict=True))
        register(world, r["代码"], r["名称"], r["类型"], date.fromisoformat(r.get("入驻日期") or "2024-11-05"))


@given(step('"{code}" 于 {granted:Date} 取得资质 "{qualification}"'))
def given_qualification(world: World, code: str, granted: date, qualification: str) -> None:
    world.setup(GrantQualification(actor=OFFICER, decided=max(granted, POLICY_START), code=code,
                                   qualification=qualification, granted_on=granted))


def award(clause: str, code: str, amount: Decimal, day: date, ref: str, basis: str, request: str = "") -> AwardByRule:
    """The officer's stated amount, checked by the rules engine against what the basis yields."""
    from tests.steps.rules import basis_of  # here, not at the top: tests.steps.rules imports this module

    return AwardByRule(actor=OFFICER, decided=day, recipient=code, clause=clause, basis=basis_of(basis),
                       amount=amount, ref=ref, request_id=request)


@given(step('已按 {clause:Word} 向 "{code}" 奖励 {amount:Yuan}, 决定日期 {day:Date}, 文号 "{ref}", 依据: {basis}'))
def given_award(world: World, clause: str, code: str, amount: Decimal, day: date, ref: str, basis: str) -> None:
    world.setup(award(clause, code, amount, day, ref, basis))


@given(step('已向奖励 "{award}" 拨付 {amount:Yuan}, 决定日期 {day:Date}'))
def given_disbursed(world: World, award: str, amount: Decimal, day: date) -> None:
    world.setup(Disburse(actor=OFFICER, decided=day, recipient=_recipient(award), award=award, amount=amount))


def _recipient(award: str) -> str:
    return award.rpartition("-A")[0]


# when -----------------------------------------------------------------------------------


@when(step('登记{kind_name} "{code}" {name:Word}, 入驻日期 {entered:Date}, 决定日期 {day:Date}'))
def when_register(world: World, kind_name: str, code: str, name: str, entered: date, day: date) -> None:
    world.submit(RegisterParty(actor=OFFICER, decided=day, code=code, name=name, party_kind=kind_name,
                               entered=entered))


@when(step('按 {clause:Word} 向 "{code}" 奖励 {amount:Yuan}, 决定日期 {day:Date}, 文号 "{ref}", 依据: {basis}'))
def when_award(world: World, clause: str, code: str, amount: Decimal, day: date, ref: str, basis: str) -> None:
    world.submit(award(clause, code, amount, day, ref, basis))


@when(step('按 {clause:Word} 向 "{code}" 奖励 {amount:Yuan}, 决定日期 {day:Date}, 未附文号, 依据: {basis}'))
def when_award_without_ref(world: World, clause: str, code: str, amount: Decimal, day: date, basis: str) -> None:
    world.submit(award(clause, code, amount, day, "", basis))


@when(step('以请求号 "{request}" 按 {clause:Word} 向 "{code}" 奖励 {amount:Yuan}, 决定日期 {day:Date}, '
           '文号 "{ref}", 依据: {basis}'))
def when_award_with_request(world: World, request: str, clause: str, code: str, amount: Decimal, day: date,
                            ref: str, basis: str) -> None:
    world.submit(award(clause, code, amount, day, ref, basis, request))


@when(step('向奖励 "{award}" 拨付 {amount:Yuan}, 决定日期 {day:Date}'))
def when_disburse(world: World, award: str, amount: Decimal, day: date) -> None:
    world.submit(Disburse(actor=OFFICER, decided=day, recipient=_recipient(award), award=award, amount=amount))


@when(step('从奖励 "{award}" 追回 {amount:Yuan}, 原因 "{reason}", 决定日期 {day:Date}, 文号 "{ref}"'))
def when_claw_back(world: World, award: str, amount: Decimal, reason: str, day: date, ref: str) -> None:
    world.submit(ClawBack(actor=OFFICER, decided=day, recipient=_recipient(award), award=award, amount=amount,
                          reason=reason, ref=ref))


# then -----------------------------------------------------------------------------------


@then(step('记录奖励 "{award}", 金额 {amount:Yuan}'))
def then_award_recorded(world: World, award: str, amount: Decimal) -> None:
    outcome = world.require_outcome()
    assert outcome.data.get("award") == award, outcome.message
    assert party(world, _recipient(award)).award(award).amount == amount


@then("请求被记录")
def then_recorded(world: World) -> None:
    outcome = world.require_outcome()
    assert not outcome.already_recorded, outcome.message
    assert world.log_size() > world.log_before


@then(step("请求被拒绝: {reason}"))
def then_refused(world: World, reason: str) -> None:
    assert reason in REFUSALS, f"add the refusal {reason!r} to REFUSALS in tests/steps/common.py"
    assert world.refusal is not None, f"expected a refusal ({reason}), got: {world.outcome and world.outcome.message}"
    message = str(world.refusal)
    assert refusal_matches(reason, message), message
    assert "\n" not in message, "a refusal is one line"


@then(step('拒绝理由提到 "{text}"'))
def then_refusal_mentions(world: World, text: str) -> None:
    """The refusal says what the feature states in Chinese (tests/steps/wording.py gives the English)."""
    assert world.refusal is not None
    assert printed(text) in str(world.refusal), str(world.refusal)


@then("账本未写入任何内容")
def then_nothing_written(world: World) -> None:
    assert world.log_size() == world.log_before


@then(step('"{award}" 已拨付 {paid:Yuan}, 已追回 {recovered:Yuan}'))
def then_award_state(world: World, award: str, paid: Decimal, recovered: Decimal) -> None:
    a = party(world, _recipient(award)).award(award)
    assert (a.disbursed, a.clawed_back) == (paid, recovered)


@then("总账借贷平衡")
def then_journal_balances(world: World) -> None:
    assert sum(world.balances().values(), Decimal(0)) == 0


@then(step("{clause:Word} 在 {year:d} 年度的预算支出为 {amount:Yuan}"))
def then_budget(world: World, clause: str, year: int, amount: Decimal) -> None:
    assert world.balances().get(budget(clause, year), Decimal("0.00")) == amount


@then(step('"{code}" 的应付未付为 {amount:Yuan}'))
def then_payable(world: World, code: str, amount: Decimal) -> None:
    assert -world.balances().get(payable(code), Decimal("0.00")) == amount


@then(step("{year:d} 年度退回国库收入为 {amount:Yuan}"))
def then_returned(world: World, year: int, amount: Decimal) -> None:
    assert -world.balances().get(returned(year), Decimal("0.00")) == amount


@then(step('资金来源 "{source}" 净支出 {amount:Yuan}'))
def then_funding(world: World, source: str, amount: Decimal) -> None:
    assert -world.balances().get(funding(source), Decimal("0.00")) == amount


@then(step('结果提示包含 "{text}"'))
def then_message(world: World, text: str) -> None:
    outcome = world.require_outcome()
    shown = "\n".join([outcome.message, *outcome.trace])
    assert printed(text) in shown, shown


@then("结果为已记录, 未重复写入")
def then_already_recorded(world: World) -> None:
    outcome = world.require_outcome()
    assert outcome.already_recorded, outcome.message
    assert world.log_size() == world.log_before


@then(step('"{code}" 已登记'))
def then_registered(world: World, code: str) -> None:
    assert party(world, code).code == code


@then(step('"{code}" 累计获得奖励 {amount:Yuan}'))
def then_total_awarded(world: World, code: str, amount: Decimal) -> None:
    assert party(world, code).totals()["awarded"] == amount


@then(step('参数 {clause:Word} "{name}" 在 {on:Date} 的取值为 "{value}", 出处 "{quote}"'))
def then_parameter(world: World, clause: str, name: str, on: date, value: str, quote: str) -> None:
    p = world.ledger.book.at(clause, translated(PARAMETER_NAMES, name, "parameter"), on)
    assert str(p.value) == value, p
    assert quote in p.quote, p.quote
    assert p.valid_from <= on


@then(step("金额 {text} 读作 {amount:Yuan}"))
def then_amount_reads(text: str, amount: Decimal) -> None:
    assert parse_yuan(text) == amount, fmt(amount)
