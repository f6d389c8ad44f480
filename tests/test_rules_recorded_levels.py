"""The level of P3.1, P3.2a and P6.4 awards, as of P6.5b, comes from the recipient's recorded
qualifications on the decision date (CLAUSES.md readings): no qualification, no award; a typed
level is a choice among the levels held, never above them; by default the highest held."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.enterprise import Enterprise
from domain.errors import Refused
from domain.qualifications import resolve
from ledger import Ledger
from ledger.handlers.parties import GrantQualification
from ledger.handlers.rules import AwardByRule
from tests.builders import RECOGNITION, by, calc, covers, log_length, party, register
from tests.conftest import OFFICER

D = Decimal
DAY = date(2025, 3, 1)
SUBJECT = {"P3.1a": {"platform": "LAB-1"}, "P3.1b": {"platform": "LAB-1"}, "P3.1c": {"platform": "ETC-1"},
           "P3.2a": {}, "P6.4a": {"incubator": "FH-1"}, "P6.4b": {"makerspace": "ZC-1"}}
AMOUNT = {"P3.2a": "500000"}


def hold(p: Enterprise, name: str, granted: date = date(2024, 11, 5), expires: date | None = None) -> None:
    kind, level = resolve(name)
    p.qualify(by(granted), kind.zh, level, granted, expires)


def level_award(clause: str, p: Enterprise, decided: date = DAY, **basis: str) -> Decimal:
    amount: Decimal = calc(clause, p, decided, facts=False, amount=AMOUNT.get(clause),
                           **{**RECOGNITION, **SUBJECT[clause], **basis}).amount
    return amount


@covers("P3.1a", "P3.1b", "P3.1c", "P3.2a", "P6.4a", "P6.4b")
@pytest.mark.parametrize(("clause", "other"), [
    ("P3.1a", "省级重点实验室"), ("P3.1b", "国家重点实验室"), ("P3.1c", "高新技术企业"),
    ("P3.2a", "市级新型研发机构"), ("P6.4a", "市级众创空间"), ("P6.4b", "省级科技企业孵化器")])
def test_no_recorded_qualification_at_a_level_the_clause_pays_no_award(clause: str, other: str) -> None:
    p = party("enterprise", "E1")
    hold(p, other)  # held, but not one the clause pays (or not at its level)
    with pytest.raises(Refused, match=rf"{clause}: E1 holds no .* qualification at .* on 2025-03-01 \(recorded: "
                                      r".*\); record the qualification first"):
        level_award(clause, p)


@covers("P3.1b", "P3.1c", "P6.4a", "P6.4b")
@pytest.mark.parametrize(("clause", "held", "typed"), [
    ("P3.1b", "市级技术创新中心", "provincial"), ("P3.1c", "省级企业技术中心", "national"),
    ("P6.4a", "市级科技企业孵化器", "national"), ("P6.4b", "省级众创空间", "national")])
def test_a_typed_level_above_the_recorded_one_is_refused(clause: str, held: str, typed: str) -> None:
    p = party("enterprise", "E1")
    hold(p, held)
    with pytest.raises(Refused, match=rf"{clause}: level {typed} is not held by E1 on 2025-03-01 \(recorded: "
                                      r".* from 2024-11-05\); the level comes from the recorded qualifications"):
        level_award(clause, p, level=typed)


@covers("P6.4a")
def test_the_level_is_the_highest_held_on_the_decision_date() -> None:
    p = party("enterprise", "E1")
    hold(p, "市级科技企业孵化器")
    hold(p, "省级科技企业孵化器", date(2025, 6, 1))
    assert level_award("P6.4a", p) == D("200000.00")  # on 2025-03-01 only the municipal one is held
    e = calc("P6.4a", p, date(2025, 7, 1), facts=False, **RECOGNITION, incubator="FH-1")
    assert e.amount == D("500000.00")
    assert "E1 holds 科技企业孵化器 (provincial) from 2025-06-01: level provincial" in e.steps
    # a lower level held at the same time may still be chosen
    assert level_award("P6.4a", p, date(2025, 7, 1), level="municipal") == D("200000.00")


@covers("P3.1c")
def test_an_expired_qualification_gives_no_level() -> None:
    p = party("enterprise", "E1")
    hold(p, "国家级企业技术中心", expires=date(2025, 2, 28))
    hold(p, "市级企业技术中心")
    assert level_award("P3.1c", p) == D("100000.00")
    with pytest.raises(Refused, match="level national is not held by E1 on 2025-03-01"):
        level_award("P3.1c", p, level="national")


@covers("P3.1a", "P3.1b", "P3.1c")
def test_the_vocabulary_names_the_platforms_as_the_notice_does() -> None:
    assert [(k.zh, lv) for k, lv in map(resolve, ["国家重点实验室", "省部共建国家重点实验室", "国家临床医学研究中心",
                                                  "市级中试基地", "国家级企业技术中心"])] == [
        ("重点实验室", "national"), ("省部共建国家重点实验室", "national"), ("临床医学研究中心", "national"),
        ("中试基地", "municipal"), ("企业技术中心", "national")]
    with pytest.raises(Refused, match=r"中试基地 is granted at provincial, municipal, not at 'national'"):
        resolve("中试基地", "national")
    with pytest.raises(Refused, match=r"unknown qualification '技术中心': record one of .*企业技术中心 "
                                      r"\(enterprise technology centre: national/provincial/municipal\)"):
        resolve("技术中心")


@covers("P6.4a")
def test_through_the_ledger_the_level_of_an_incubator_comes_from_its_recorded_qualification(ledger: Ledger) -> None:
    register(ledger, "E1")

    def incubator(**basis: str) -> AwardByRule:
        return AwardByRule(actor=OFFICER, decided=DAY, ref="临科发〔2025〕12号", recipient="E1", clause="P6.4a",
                           basis={**RECOGNITION, "incubator": "FH-1", **basis})

    before = log_length(ledger)
    with pytest.raises(Refused, match="E1 holds no 科技企业孵化器 qualification"):
        ledger.execute(incubator(level="national"))
    ledger.execute(GrantQualification(actor=OFFICER, decided=date(2025, 1, 3), code="E1", qualification="省级科技企业孵化器",
                                      granted_on=date(2024, 11, 5)))
    with pytest.raises(Refused, match="level national is not held by E1"):
        ledger.execute(incubator(level="national"))
    assert log_length(ledger) == before + 2  # the qualification and its request record only
    out = ledger.execute(incubator())
    assert out.data["amount"] == D("500000.00") and "E1 holds 科技企业孵化器 (provincial) from 2024-11-05" in out.trace[0]
