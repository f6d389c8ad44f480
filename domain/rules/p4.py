"""P4 人才引育: talent hired or trained, workstations, research teams, brokers' training, individuals."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.rules.basis import Key
from domain.rules.engine import Calculation, rule
from domain.rules.matters import matter_key

PERSON = Key("person", "subject", "the person (id number or party code); one matter per person")


@rule("P4.1a", PERSON, Key("title", "choice", "两院院士 (academician) or 国家级科技领军人才 (national_leader)",
                           choices=("academician", "national_leader")),
      Key("leading_enterprise", "yesno", "the recipient is a 高科技领军企业 (high-tech leading enterprise)"),
      kinds=("enterprise",), matter="P4.1a:<person> (across enterprises)", shared="person")
def high_level_talent(calc: Calculation) -> None:
    calc.require(calc.basis["leading_enterprise"], Message(N_("the enterprise is not a high-tech leading enterprise (高科技领军企业)")))
    title = calc.basis["title"]
    calc.fixed(title, Message(N_("{replace} trained or newly hired full-time:"), replace=Message(title.replace('_', ' '))))
    calc.matter(matter_key("P4.1a", calc.basis["person"]))


@rule("P4.1b", Key("station", "choice", "new 院士工作站 (academician) or 博士工作站 (doctoral)",
                   choices=("academician", "doctoral")), kinds=("enterprise", "university", "institute"), decided=True, matter="P4.1b:<station>", once=True)
def workstation(calc: Calculation) -> None:
    station = calc.basis["station"]
    calc.officer_amount(cap=calc.param(f"{station}_cap"), label=Message(N_("for a new {station} workstation"), station=Message(station)))
    calc.matter(matter_key("P4.1b", station), Message(N_("the {station} workstation"), station=Message(station)))


@rule("P4.1c", PERSON, Key("degree", "choice", "博士 (doctorate) or 硕士研究生 (master)", choices=("doctorate", "master")),
      Key("social_insurance", "yesno", "the enterprise pays the person's social insurance (缴纳社保)"),
      Key("contract_years", "count", "length of the labour contract in years (≥ 3)"),
      kinds=("enterprise",), matter="P4.1c:<person> (across enterprises)", shared="person")
def research_team_member(calc: Calculation) -> None:
    calc.require(calc.basis["social_insurance"], Message(N_("social insurance is not paid (缴纳社保 is required)")))
    minimum = calc.param("min_contract_years")
    years = calc.basis["contract_years"]
    calc.require(years >= minimum, Message(N_("labour contract of {years} years is shorter than {minimum} (三年期以上)"), years=years, minimum=minimum))
    calc.step(Message(N_("social insurance paid, contract {years} ≥ {minimum} years"), years=years, minimum=minimum))
    degree = calc.basis["degree"]
    calc.fixed(degree, Message(N_("{degree} research funding"), degree=Message(degree)))
    calc.matter(matter_key("P4.1c", calc.basis["person"]))


@rule("P4.2a", Key("fee", "yuan", "training fee paid by the person (self-paid, with the Shanxi certificate)"),
      kinds=("person",))
def broker_training(calc: Calculation) -> None:
    calc.rate_of(calc.basis["fee"], calc.param("rate"), N_("fee"))
    calc.cap_per_year(calc.param("annual_cap"))


@rule("P4.2b", kinds=("person",), matter="P4.2b:<year>", counted=True)
def outstanding_individual(calc: Calculation) -> None:
    calc.fixed("amount", N_("outstanding tech-transfer individual of the year"))
    calc.count_per_year(calc.param("per_year"), N_("outstanding individuals"))
    calc.matter(matter_key("P4.2b", calc.year))
