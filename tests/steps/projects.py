"""Steps for 拨投结合 (P2.2, P6.1): project approval with conversion terms, tranches, conversion,
buyback, failure and write-off, misuse and clawback, reassignment; funds and P5.8 tolerance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pytest_bdd import given, then, when

from domain.fund import Fund
from domain.ids import fund_id, project_id
from domain.money import parse_yuan
from ledger.handlers.funds import FailInvestment, InvestDirect, RegisterFund, load_register
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
from tests.conftest import APPROVER, OFFICER
from tests.steps.types import step
from tests.steps.world import World


def _on(world: World, day: date | None = None) -> dict[str, Any]:
    return {"actor": OFFICER, "decided": day or world.notes["decided"], "ref": world.notes.get("ref", "")}


def _percent(text: str) -> Decimal:
    return Decimal(text.rstrip("%")) / 100


@given(step('已登记基金 "{code}" {name:Word}, 资本 {capital:Yuan}'))
def given_fund(world: World, code: str, name: str, capital: Decimal) -> None:
    world.setup(RegisterFund(code=code, name=name, manager="市创业投资基金管理公司", capital=capital,
                             **_on(world, date(2024, 12, 1))))


@given(step('已登记由 "{manager}" 管理的基金 "{code}", 资本 {capital:Yuan}'))
def given_managed_fund(world: World, manager: str, code: str, capital: Decimal) -> None:
    world.setup(RegisterFund(code=code, name=f"{code} 基金", manager=manager, capital=capital,
                             **_on(world, date(2024, 12, 1))))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields


def _direct_investment(world: World, fund: str, day: date, enterprise: str, amount: Decimal, guidance: Decimal,
                       early_stage: bool, lot: str = "") -> None:
    """A direct investment as recorded by `jcg fund invest` (its founders recorded first, once)."""
    from domain.captable import share_register_id

    if share_register_id(enterprise) not in world.ledger.repository:
        world.setup(RegisterHolders(enterprise=enterprise, holders=(("FOUNDER", "创始人", Decimal("1000000")),),
                                    **_on(world, day)))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields
    world.setup(InvestDirect(fund=fund, enterprise=enterprise, amount=amount, units=amount, guidance=guidance,
                             early_stage=early_stage, lot=lot, **_on(world, day)))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields


@given(step('基金 "{fund}" 于 {day:Date} 向 "{enterprise}" 直接投资 {amount:Yuan}, 其中政府引导资金 {guidance:Yuan}'))
def given_direct_investment(world: World, fund: str, day: date, enterprise: str, amount: Decimal,
                            guidance: Decimal) -> None:
    _direct_investment(world, fund, day, enterprise, amount, guidance, False)


@given(step('基金 "{fund}" 于 {day:Date} 向 "{enterprise}" 直接投资 {amount:Yuan} (早期项目 "{lot}")'))
def given_early_investment(world: World, fund: str, day: date, enterprise: str, amount: Decimal, lot: str) -> None:
    _direct_investment(world, fund, day, enterprise, amount, Decimal("0.00"), True, lot)


@when(step('于 {day:Date} 基金 "{fund}" 的直接投资 "{lot}" 失败核销, 原因 "{reason}"'))
def when_investment_failed(world: World, day: date, fund: str, lot: str, reason: str) -> None:
    world.submit(FailInvestment(fund=fund, lot=lot, reason=reason, **_on(world, day)))  # type: ignore[arg-type]  # the step helper returns a plain dict of command fields


@given(step('"{enterprise}" 的股东登记为:'))
def given_holders(world: World, enterprise: str, datatable: list[list[str]]) -> None:
    _, *rows = datatable
    holders = tuple((name, name, parse_yuan(capital)) for name, capital in rows)
    world.setup(RegisterHolders(enterprise=enterprise, holders=holders,
                                **_on(world, date(2024, 12, 2))))


@given(step('已批准拨投结合项目 "{code}", 条款如下:'))
def given_project(world: World, code: str, datatable: list[list[str]]) -> None:
    """The terms as a decision writes them; every one is stored with the project as data."""
    t = {row[0]: row[1] for row in datatable}
    early = t.get("早期项目", "是") == "是"
    world.setup(ApproveProject(
        code=code, title=t["项目名称"], clause=t.get("条款", "P2.2"), enterprise=t["企业"], fund=t["基金"],
        amount=parse_yuan(t["财政资金"]), trigger="date", trigger_on=date.fromisoformat(t["转股触发日期"]),
        pricing="fixed", pre_money=parse_yuan(t["投前估值"]), max_stake=t["最高持股比例"],
        exit_formula="interest", exit_rate=t.get("回购年利率", "0%"),
        window_from_years=int(t.get("回购期起(年)", "1")), window_until_years=int(t.get("回购期止(年)", "5")),
        ratio=t.get("回购比例上限", "100%"), early_stage=early,
        **_on(world, date.fromisoformat(t.get("批准日期", "2025-01-10"))) | {"actor": APPROVER},
    ))


@given(step('已于 {day:Date} 拨付项目 "{code}" 资金 {amount:Yuan}'))
def given_tranche(world: World, day: date, code: str, amount: Decimal) -> None:
    world.setup(PayTranche(project=code, amount=amount, **_on(world, day)))


@when(step('于 {day:Date} 拨付项目 "{code}" 资金 {amount:Yuan}'))
def when_tranche(world: World, day: date, code: str, amount: Decimal) -> None:
    world.submit(PayTranche(project=code, amount=amount, **_on(world, day)))


@given(step('已于 {day:Date} 确认项目 "{code}" 转股条件满足'))
def given_trigger(world: World, day: date, code: str) -> None:
    world.setup(RecordTrigger(project=code, **_on(world, day)))


@when(step('于 {day:Date} 确认项目 "{code}" 转股条件满足'))
def when_trigger(world: World, day: date, code: str) -> None:
    world.submit(RecordTrigger(project=code, **_on(world, day)))


@given(step('已于 {day:Date} 将项目 "{code}" 的财政资金转为股权'))
def given_convert(world: World, day: date, code: str) -> None:
    world.setup(ConvertProject(project=code, **_on(world, day)))


@when(step('于 {day:Date} 将项目 "{code}" 的财政资金转为股权'))
def when_convert(world: World, day: date, code: str) -> None:
    world.submit(ConvertProject(project=code, **_on(world, day)))


@when(step('于 {day:Date} 将项目 "{code}" 的财政资金 {amount:Yuan} 转为股权'))
def when_convert_amount(world: World, day: date, code: str, amount: Decimal) -> None:
    world.submit(ConvertProject(project=code, amount=amount, **_on(world, day)))


@when(step('于 {day:Date} 由 "{buyer}" 回购项目 "{code}" 的全部股权'))
def when_buyback(world: World, day: date, buyer: str, code: str) -> None:
    world.submit(BuyBack(project=code, buyer=buyer, **_on(world, day)))


@when(step('于 {day:Date} 由 "{buyer}" 回购项目 "{code}" 的股权 {units:Yuan} 份'))
def when_buyback_units(world: World, day: date, buyer: str, code: str, units: Decimal) -> None:
    world.submit(BuyBack(project=code, buyer=buyer, units=units, **_on(world, day)))


@when(step('于 {day:Date} 项目 "{code}" 失败核销, 原因 "{reason}"'))
def when_fail(world: World, day: date, code: str, reason: str) -> None:
    world.submit(FailProject(project=code, reason=reason, **_on(world, day)))


@when(step('于 {day:Date} 项目 "{code}" 失败核销, 原因 "{reason}", 要求追回 {amount:Yuan}'))
def when_fail_clawback(world: World, day: date, code: str, reason: str, amount: Decimal) -> None:
    world.submit(FailProject(project=code, reason=reason, clawback=amount, **_on(world, day)))


@when(step('于 {day:Date} 项目 "{code}" 因 "{misuse}" 终止, 追回 {amount:Yuan}'))
def when_misuse(world: World, day: date, code: str, misuse: str, amount: Decimal) -> None:
    world.submit(FailProject(project=code, reason="项目终止", misuse=misuse, clawback=amount,
                             **_on(world, day)))


@given(step('已于 {day:Date} 项目 "{code}" 失败核销, 原因 "{reason}"'))
def given_failed(world: World, day: date, code: str, reason: str) -> None:
    world.setup(FailProject(project=code, reason=reason, **_on(world, day)))


@when(step('于 {day:Date} 项目 "{code}" 结题验收, 文号 "{ref}"'))
def when_finish(world: World, day: date, code: str, ref: str) -> None:
    """P6.1 reassigns a *finished* project's money: completion is recorded with its acceptance reference."""
    world.submit(FinishProject(project=code, **{**_on(world, day), "ref": ref}))


@when(step('于 {day:Date} 项目 "{code}" 结题验收, 文号 "{ref}", 已支出 {spent:Yuan}'))
def when_finish_spent(world: World, day: date, code: str, ref: str, spent: Decimal) -> None:
    """Completion records what the team spent; P6.1 unspent = paid − spent − converted − reassigned − recovered."""
    world.submit(FinishProject(project=code, spent=spent, **{**_on(world, day), "ref": ref}))


@when(step('于 {day:Date} 将项目 "{code}" 结余财政资金 {amount:Yuan} 统筹用于项目 "{target}"'))
def when_reassign(world: World, day: date, code: str, amount: Decimal, target: str) -> None:
    world.submit(ReassignUnspent(project=code, target=target, amount=amount, **_on(world, day)))


# then -----------------------------------------------------------------------------------


@then(step("新增注册资本 {units:Yuan}, 计入资本公积 {premium:Yuan}, 基金持股 {stake}"))
def then_converted(world: World, units: Decimal, premium: Decimal, stake: str) -> None:
    data = world.require_outcome().data
    assert (data["units"], data["premium"], data["stake"]) == (units, premium, _percent(stake)), data


@then(step('截至 {day:Date}, "{holder}" 持有 "{enterprise}" {share} 的股权'))
def then_share(world: World, day: date, holder: str, enterprise: str, share: str) -> None:
    assert load_register(world.ledger, enterprise).table(day).share_of(holder) == _percent(share)


@then(step("回购价格 {price:Yuan}, 基金收益 {gain:Yuan}"))
def then_buyback(world: World, price: Decimal, gain: Decimal) -> None:
    data = world.require_outcome().data
    assert (data["price"], data["gain"]) == (price, gain), data


@then(step('基金 "{code}" 现金 {cash:Yuan}, 退出收益 {gain:Yuan}, 核销损失 {loss:Yuan}'))
def then_fund(world: World, code: str, cash: Decimal, gain: Decimal, loss: Decimal) -> None:
    fund: Fund = world.ledger.aggregate(fund_id(code))
    assert (fund.cash, fund.gains, fund.losses) == (cash, gain, loss), (fund.cash, fund.gains, fund.losses)


@then(step('项目 "{code}" 状态为 "{status}"'))
def then_status(world: World, code: str, status: str) -> None:
    assert world.said(world.ledger.aggregate(project_id(code)).status) == status


@then(step("核销损失 {loss:Yuan}, 基金早期项目失败率 {ratio}"))
def then_written_off(world: World, loss: Decimal, ratio: str) -> None:
    data = world.require_outcome().data
    assert (data["loss"], data["failure_ratio"]) == (loss, _percent(ratio)), data


@then("失败率超过容错比例, 已提示")
def then_flagged(world: World) -> None:
    assert world.require_outcome().data["flagged"] is True


@then("失败率未超过容错比例")
def then_not_flagged(world: World) -> None:
    assert world.require_outcome().data["flagged"] is False
