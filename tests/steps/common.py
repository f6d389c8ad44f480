"""Steps every feature shares: parties, awards, payments, clawbacks, refusals, the journal.

Every step drives the real application (`Ledger.execute`) on the scenario's fresh ledger.
Awards go through the rules engine like every award (`AwardByRule`): a step names the amount
the officer states and the basis it comes from (`奖励 15万元, ..., 依据: 合同技术交易额 750万元`);
the engine computes the entitlement from the basis and refuses a stated amount that differs.
Refusals are named in Chinese in the features; REFUSALS maps each name to the words the
ledger's one-line error must contain, so the feature stays readable and the check stays exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from click.testing import Result
from pytest_bdd import given, then, when

import i18n
from domain.aliases import parameter_name
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
from tests.steps.world import World

POLICY_START = date(2024, 11, 5)

# A refusal a feature names in its own words → the words of the ledger's Chinese line that say it
# (a name the ledger's line says word for word needs no entry).
REFUSALS: dict[str, str | tuple[str, ...]] = {
    "决定日期不在政策有效期内": "不在政策有效期",
    "受益单位未登记": "未登记",
    "代码已登记": "已登记",
    "拨付超过未拨付余额": "超过未拨付余额",
    "凭证号已被先前的记录使用": "已被先前的记录使用",
    "认定级别高于已登记的资质": "认定级别以已记录的资质为准",
    "未登记相应级别的资质": "请先登记资质",
    "录入人不能复核本人的付款指令": "不能再由其批准",
    "奖励已全部拨付, 无未拨付部分可撤销": "无未拨付部分可撤销",
    "追回超过已拨付未追回金额": "超过已拨付且尚未追回的金额",
    "追回未说明原因": "追回须写明原因",
    "缺少决定文号": ("须附撤销决定的文号", "须有文号"),
    "请求号已用于不同内容的请求": "已用于另一个请求",
    "条款无资金规则": "在规则引擎中没有规则",
    "条款编号不存在": "未知条款",
    "拨付日期早于奖励决定": "早于奖励决定日期",
    # the rules engine
    "超过年度累计上限": "元/年已用完",
    "超过累计上限": "元已用完",
    "就高不重复, 已获得不低于本次的金额": "不低于本次",
    "受益单位类型不符": "本条款支付对象为",
    "未设定技术经纪人奖励比例": "经纪人奖励比例（交易额的一定比例）未设定",
    "租金补贴已满3年": "最多 3 年",
    "支持比例低于50%": "低于下限 50%",
    "支持比例超过100%": "超过租金的 100%",
    "超出连续3年": "连续 3 年",
    "一事一议缺少文号或理由": "一事一议须有文号和理由",
    "须由经办人给出金额": "金额由经办人决定，但未给出金额",
    "基础数据不合规": "必须是以下之一",
    "年产值未超过1亿元": "未超过 100,000,000元",
    "劳动合同不足三年": "短于 3 年",
    "年度名额已满": "每年最多 10 个优秀个人；",
    "已入选本年度": "的优秀个人之一",
    "投资额不足1000万元": "低于 10,000,000元",
    "投资未满1年": "投资满 1 年的实际投资额为 0.00元",
    "基金未登记": "未登记（以其已记录的投资为依据）",
    "奖励比例超过2%": "超过 2%",
    "项目绩效不正常": "项目绩效或状态不正常",
    "考核不是优秀": "不是优秀",
    "入驻未满一年": "起符合条件（期满一年后）",
    "上年度未通过高新技术企业认定": "资质（上年度通过认定）",
    # the rules engine: conditions, rent years, contracts, one-time clauses, matters
    "挂牌未融资成功": "未挂牌并融资成功",
    "租金年度晚于决定年度": "晚于决定年度",
    "租金年度早于政策施行": "早于政策起始年度",
    "租金年度早于入驻": "入驻平台（",
    "缺少合同编号": "缺少计算依据 合同编号（",
    "缺少登记日期": "缺少计算依据 登记日期（",
    "缺少合同相对方": "缺少计算依据 合同相对方（",
    "登记日期晚于决定日期": "（技术合同经认定登记后）",
    "合同已在以前年度补贴": "以后年度不能补足",
    "一次性奖励已发放": "不能再次奖励",
    "事项键格式不符": "不符合 G.3 匹配的格式",
    # the rules engine: officer amounts within caps, assessment and financing years
    "经办人确定的金额超过剩余额度": "的剩余额度",
    # subjects with an identity, G.3 for every clause, eligibility facts
    "分担金额超过剩余金额": "的剩余金额",
    "缺少省拨经费": "缺少计算依据 上年省拨经费（",
    "缺少认定日期": "缺少计算依据 认定日期（",
    "缺少是否首次认定": "缺少计算依据 首次认定（",
    "不是首次认定": "不是该级别的首次认定",
    "认定日期晚于决定日期": "晚于决定日期",
    "不是自费培训": "不是自费参加",
    "证书不是山西省基地颁发": "证书不是由国家技术转移人才培养基地(山西省)颁发",
    "缺少证书编号": "缺少计算依据 培训证书（",
    "研发支出不在建设期内": "研发经费支出不在建设期",
    "缺少研发经费支出": "缺少计算依据 研发经费支出（",
    "缺少保单号": "缺少计算依据 保单号（",
    "缺少创新券编号": "缺少计算依据 创新券编号（",
    "缺少工作站编号": "缺少计算依据 工作站（",
    "修订将改变已作出决定所用的取值": "已作出决定所用的取值",
    "入驻晚于决定日期": "入驻平台，晚于决定日期",
    "年度晚于决定年度": "晚于决定年度",
    "年度早于政策施行": "早于政策起始年度",
    # 拨投结合 projects and funds
    "拨付超过项目资金": "超过拨款剩余额度",
    "转股条件未满足": "转换条件未满足",
    "转股金额超过已拨付": "转股金额不能超过已拨付金额",
    "不在约定回购期内": "不在约定的回购期内",
    "回购超过基金持有份额": "基金从该项目持有",
    "无挪用不追回": "除非记录了违规使用",
    "统筹金额超过结余": "超过结余财政资金",
    # loans and P5.6 compensation
    "贷款未纳入风险补偿": "贷款 LN-9 未登记",
    "损失大于未还本金": "超过未偿还本金",
    "同一损失已申请补偿": "一笔损失只补偿一次",
    "支付超过批准的份额": "超过已批准且尚未支付的金额",
    "追回超过未弥补的损失": "超过尚未弥补的损失",
    "省市合计超过90%": "超过上限 90%",
}


def refusal_matches(reason: str, message: str) -> bool:
    """The refusal named ``reason`` in a feature: the ledger's line says the words REFUSALS lists
    for it, or the name itself when the ledger's line says it in those words."""
    expected = REFUSALS.get(reason, reason)
    return any(words in message for words in ((expected,) if isinstance(expected, str) else expected))


@pytest.fixture
def world(ledger: Ledger, jcg: Callable[..., Result], ledger_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh ledger per scenario (SQLite, and PostgreSQL when on), with the officers provisioned,
    speaking Chinese: what it says and what `jcg` prints are what the features quote."""
    monkeypatch.setenv("JCG_LANG", "zh")
    i18n.activate("zh")
    w = World(ledger=ledger, jcg=jcg)
    w.notes["url"] = ledger_url
    yield w
    i18n.activate("en")


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
    message = world.refusal_text()
    assert refusal_matches(reason, message), message
    assert "\n" not in message, "a refusal is one line"


@then(step('拒绝理由提到 "{text}"'))
def then_refusal_mentions(world: World, text: str) -> None:
    """The refusal says, in the ledger's own Chinese, what the feature quotes."""
    message = world.refusal_text()
    assert text in message, message


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
    shown = world.shown(world.require_outcome())
    assert text in shown, shown


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
    p = world.ledger.book.at(clause, parameter_name(name), on)
    assert str(p.value) == value, p
    assert quote in p.quote, p.quote
    assert p.valid_from <= on


@then(step("金额 {text} 读作 {amount:Yuan}"))
def then_amount_reads(text: str, amount: Decimal) -> None:
    assert parse_yuan(text) == amount, fmt(amount)
