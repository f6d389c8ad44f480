"""Steps for awards computed by the policy rules (`AwardByRule`), dry runs, G.3 external awards
and dated parameters (G.4).

Features name the basis in Chinese (`合同技术交易额 7,654,321.09元; 合同编号 HT-1`), as an officer
types it; the ledger resolves the labels and choice words (domain/aliases.py) to the rule's basis
keys documented in `jcg policy show CLAUSE` and docs/rules.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

from pytest_bdd import given, parsers, then, when

from domain.aliases import parameter_name
from domain.enterprise import Enterprise
from domain.errors import Refused
from domain.parameters import Parameter, ParameterBook, load_values
from domain.rulebook import OPEN_PARAMETERS, parse_value
from ledger.handlers.rulebook import ReviseParameter
from ledger.handlers.rules import AwardByRule, RecordExternalAward, calculate
from tests.conftest import OFFICER
from tests.steps.common import party
from tests.steps.types import TYPES, step
from tests.steps.world import World

DEFAULT_DECIDED = date(2025, 3, 1)
DEFAULT_REF = "临科发〔2025〕12号"


def basis_of(text: str | None) -> dict[str, str]:
    """``合同技术交易额 7,654,321.09元; 合同编号 HT-1`` → ``{"合同技术交易额": "7,654,321.09元", ...}``: the
    Chinese labels and words go to the ledger as the officer types them (domain/aliases.py resolves them)."""
    result: dict[str, str] = {}
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        label, _, value = part.partition(" ")
        result[label] = value.strip()
    return result


def decided(world: World, day: date | None) -> date:
    return day or world.notes.get("decided", DEFAULT_DECIDED)


_AMOUNT = TYPES["Yuan"].pattern
AWARD = parsers.re(
    r'^(?:已)?(?:于 (?P<day>\d{4}-\d{2}-\d{2}) )?(?:以请求号 "(?P<request>[^"]+)" )?'
    r'按 (?P<clause>[GP][\d.]+[a-z]?) 为 "(?P<code>[^"]+)" (?P<mode>申请奖励|试算奖励)'
    rf'(?: (?P<amount>{_AMOUNT}))?(?:, 理由 "(?P<reason>[^"]*)")?(?:, 依据: (?P<basis>.+))?$'
)
CONVERT = {"day": lambda s: date.fromisoformat(s) if s else None,
           "amount": lambda s: TYPES["Yuan"](s) if s else None}


@given(step('决定日期为 {day:Date}, 文号 "{ref}"'))
def given_defaults(world: World, day: date, ref: str) -> None:
    world.notes["decided"], world.notes["ref"] = day, ref


@given(AWARD, converters=CONVERT)
def given_award_by_rule(world: World, day: date | None, request: str | None, clause: str, code: str, mode: str,
                        amount: Decimal | None, reason: str | None, basis: str | None) -> None:
    world.setup(_command(world, day, request, clause, code, amount, reason, basis))


@when(AWARD, converters=CONVERT)
def when_award_by_rule(world: World, day: date | None, request: str | None, clause: str, code: str, mode: str,
                       amount: Decimal | None, reason: str | None, basis: str | None) -> None:
    if mode == "试算奖励":
        world.log_before = world.log_size()
        world.outcome, world.refusal = None, None
        try:
            world.notes["calc"] = calculate(world.ledger, clause, code, basis_of(basis), decided(world, day),
                                            amount=amount, reason=reason or "", ref=world.notes.get("ref", DEFAULT_REF))
        except Refused as exc:
            world.refusal = exc
        return
    world.submit(_command(world, day, request, clause, code, amount, reason, basis))


def _command(world: World, day: date | None, request: str | None, clause: str, code: str, amount: Decimal | None,
             reason: str | None, basis: str | None) -> AwardByRule:
    return AwardByRule(actor=OFFICER, decided=decided(world, day), ref=world.notes.get("ref", DEFAULT_REF),
                       request_id=request or "", recipient=code, clause=clause, basis=basis_of(basis),
                       amount=amount, reason=reason or "")


@given(step('"{code}" 已从 "{source}" 就事项 "{matter}" 获得 {amount:Yuan} ({clause:Word})'))
def given_external(world: World, code: str, source: str, matter: str, amount: Decimal, clause: str) -> None:
    world.setup(RecordExternalAward(actor=OFFICER, decided=world.notes.get("decided", DEFAULT_DECIDED),
                                    ref="晋科发〔2025〕3号", recipient=code, clause=clause, matter=matter,
                                    amount=amount, source=source))


@when(step('记录 "{code}" 从 "{source}" 就事项 "{matter}" 获得 {amount:Yuan} ({clause:Word})'))
def when_external(world: World, code: str, source: str, matter: str, amount: Decimal, clause: str) -> None:
    """An external award as a When step: a matter G.3 could never match is refused."""
    world.submit(RecordExternalAward(actor=OFFICER, decided=world.notes.get("decided", DEFAULT_DECIDED),
                                     ref="晋科发〔2025〕3号", recipient=code, clause=clause, matter=matter,
                                     amount=amount, source=source))


@given(step('市科技局确定 {clause:Word} 参数 "{name}" 为 "{value}", 自 {valid_from:Date} 起生效, 依据 "{quote}"'))
def given_parameter(world: World, clause: str, name: str, value: str, valid_from: date, quote: str) -> None:
    """A value the first edition of the rule book gains (G.4): old values stay. The name is the
    notice's (domain/aliases.py), the value is read in the parameter's unit as a revision's is."""
    name = parameter_name(name)
    versions = world.ledger.book.versions_of(clause, name)
    unit = versions[0].unit if versions else OPEN_PARAMETERS[(clause, name)]
    folder = resources.files("domain") / "params"
    texts = [(f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".toml")]
    values = load_values(texts)
    values += world.notes.setdefault("revisions", [])
    added = Parameter(clause=clause, name=name, value=parse_value(value, unit, f"{clause}.{name}"), unit=unit,
                      valid_from=valid_from, quote=quote)
    world.notes["revisions"].append(added)
    world.ledger.book = ParameterBook([*values, added])


# then -----------------------------------------------------------------------------------


@then(step("核定奖励 {amount:Yuan}"))
def then_awarded(world: World, amount: Decimal) -> None:
    outcome = world.require_outcome()
    award_id = outcome.data["award"]
    recorded = party(world, award_id.rpartition("-A")[0]).award(award_id)
    assert recorded.amount == amount, outcome.trace
    assert outcome.data["amount"] == amount


@then(step("试算结果为 {amount:Yuan}, 账本未写入任何内容"))
def then_calculated(world: World, amount: Decimal) -> None:
    assert world.refusal is None, str(world.refusal)
    assert world.notes["calc"].amount == amount, world.notes["calc"].trace
    assert world.log_size() == world.log_before


@then(step('计算过程为 "{line}"'))
def then_trace(world: World, line: str) -> None:
    outcome = world.require_outcome()
    assert world.said(outcome.trace[0]) == line, world.said(outcome.trace[0])


@then(step('计算过程包含 "{text}"'))
def then_trace_contains(world: World, text: str) -> None:
    if "calc" in world.notes and world.outcome is None:
        trace = world.notes["calc"].trace
    else:
        trace = world.require_outcome().trace
    shown = "\n".join(world.said(line) for line in trace)
    assert text in shown, shown


@then(step('奖励 "{award}" 记录了参数版本 "{version}"'))
def then_versions(world: World, award: str, version: str) -> None:
    granted = [e for _, e in world.ledger.read_log()
               if isinstance(e, Enterprise.AwardGranted) and e.award_id == award]
    assert granted, f"no award {award}"
    assert version in granted[0].versions, granted[0].versions


@then(step('奖励 "{award}" 的 G.3 事项为 "{matter}"'))
def then_matter(world: World, award: str, matter: str) -> None:
    assert party(world, award.rpartition("-A")[0]).award(award).matter == matter


@then(step('"{code}" 在 {clause:Word} 下 {year:d} 年累计获得 {amount:Yuan}'))
def then_awarded_in_year(world: World, code: str, clause: str, year: int, amount: Decimal) -> None:
    assert party(world, code).awarded_in(clause, year) == amount


BY = {"责任单位": "unit", "支付来源": "source"}


@then(step('预算按{by}汇总, {year:d} 年 "{name}" 承诺 {amount:Yuan}'))
def then_budget_by(world: World, by: str, year: int, name: str, amount: Decimal) -> None:
    """`jcg report budgets --by unit|source`: the paying source and 责任单位 come from the rule book."""
    from projections.reports import budgets
    from projections.runner import fold

    state, _ = fold(world.ledger, report="budgets")
    report = budgets(state.rows, by=BY[by])
    found = {(row[0], row[1]): row[2] for row in report.rows}
    assert found.get((year, name)) == amount, found


# the rule book on record (G.4): revisions and what-if -------------------------------------


def _revision(world: World, clause: str, name: str, value: str, valid_from: date, ref: str,
              quote: str) -> ReviseParameter:
    from tests.conftest import APPROVER

    return ReviseParameter(actor=APPROVER, decided=world.notes.get("decided", DEFAULT_DECIDED), ref=ref,
                           clause=clause, name=name, value=value,
                           valid_from=valid_from, quote=quote)


REVISION = '审批人将 {clause:Word} 参数 "{name}" 修订为 "{value}", 自 {valid_from:Date} 起生效, 文号 "{ref}", 依据 "{quote}"'


@given(step(REVISION))
def given_revision(world: World, clause: str, name: str, value: str, valid_from: date, ref: str, quote: str) -> None:
    world.setup(_revision(world, clause, name, value, valid_from, ref, quote))


@when(step(REVISION))
def when_revision(world: World, clause: str, name: str, value: str, valid_from: date, ref: str, quote: str) -> None:
    world.submit(_revision(world, clause, name, value, valid_from, ref, quote))


def signed(text: str) -> Decimal:
    """``-50,000.00元`` → Decimal("-50000.00") (a difference can be negative; amounts cannot)."""
    negative = text.startswith("-")
    value: Decimal = TYPES["Yuan"](text.lstrip("-"))
    return -value if negative else value


@when("按以下拟修订参数重算已记录的全部奖励:")
def when_what_if(world: World, datatable: list[list[str]]) -> None:
    from ledger.whatif import Proposal, recompute

    header, *rows = datatable
    proposals = []
    for row in rows:
        r = dict(zip(header, row, strict=True))
        proposals.append(Proposal(r["条款"], r["参数"], r["取值"],
                                  date.fromisoformat(r["生效日期"])))
    world.log_before = world.log_size()
    world.notes["whatif"] = list(recompute(world.ledger.book, (e for _, e in world.ledger.read_log()), proposals))


@then(step('重算结果 {clause:Word} "{recipient}" {year:d} 年: 已奖励 {recorded:Yuan}, 按修订 {proposed:Yuan}, 差额 {difference}'))
def then_what_if_row(world: World, clause: str, recipient: str, year: int, recorded: Decimal, proposed: Decimal,
                     difference: str) -> None:
    from ledger.whatif import what_if_rows

    rows = {(r[0], r[1], r[2]): r[4:] for r in what_if_rows(world.notes["whatif"])}
    assert rows[(clause, recipient, year)] == [recorded, proposed, signed(difference)], rows


@then(step("重算合计: 已奖励 {recorded:Yuan}, 按修订 {proposed:Yuan}, 差额 {difference}"))
def then_what_if_total(world: World, recorded: Decimal, proposed: Decimal, difference: str) -> None:
    results = world.notes["whatif"]
    got = (sum((r.recorded for r in results), Decimal("0.00")), sum((r.proposed for r in results), Decimal("0.00")))
    assert got == (recorded, proposed), got
    assert got[1] - got[0] == signed(difference)
