"""P4 人才引育: talent hired or trained, workstations, research teams, brokers' training, individuals."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.money import fmt_plain
from domain.rules.basis import Key
from domain.rules.engine import Calculation, rule
from domain.rules.matters import matter_key

PERSON = Key("person", "subject", "the person (id number or party code); one matter per person")


@rule("P4.1a", PERSON, Key("title", "choice", "两院院士 (academician) or 国家级科技领军人才 (national_leader)",
                           choices=("academician", "national_leader")),
      Key("leading_enterprise", "yesno", "the recipient is a 高科技领军企业 (high-tech leading enterprise)"),
      kinds=("enterprise",), matter="P4.1a:<person> (across enterprises)", shared="person")
def high_level_talent(calc: Calculation) -> None:
    """A fixed amount per person (academician 1,000,000 / national leader 500,000) to a high-tech leading enterprise; one matter per person across enterprises."""
    calc.require(calc.basis["leading_enterprise"], Message(N_("the enterprise is not a high-tech leading enterprise (高科技领军企业)")))
    title = calc.basis["title"]
    calc.fixed(title, Message(N_("{replace} trained or newly hired full-time:"), replace=Message(title.replace('_', ' '))))
    calc.matter(matter_key("P4.1a", calc.basis["person"]))


@rule("P4.1b", Key("station", "choice", "new 院士工作站 (academician) or 博士工作站 (doctoral)",
                   choices=("academician", "doctoral")),
      Key("workstation", "subject", "the workstation's code (each station is a subject of its own: a party's "
          "second station is paid again; one cap per station across its co-builders)"),
      kinds=("enterprise", "university", "institute"), decided=True,
      matter="P4.1b:<workstation> (per station across co-builders; awards under other policies use its cap)",
      shared="workstation",
      readings=("each workstation is a subject with its own identity: the cap is per station, so a party's "
                "second doctoral workstation is paid again; co-builders of one station share its cap",))
def workstation(calc: Calculation) -> None:
    """The officer's amount within the station type's cap (academician 900,000 / doctoral 200,000) per workstation; each station is a subject of its own."""
    station = calc.basis["station"]
    cap = calc.param(f"{station}_cap")
    calc.officer_amount(cap=cap, label=Message(N_("for a new {station} workstation"), station=Message(station)))
    calc.matter(matter_key("P4.1b", calc.basis["workstation"]), cap=cap, label=Message(
        N_("cap {cap} {scope}"), cap=fmt_plain(cap),
        scope=Message(N_("for the {station} workstation"), station=Message(station))))


@rule("P4.1c", PERSON, Key("degree", "choice", "博士 (doctorate) or 硕士研究生 (master)", choices=("doctorate", "master")),
      Key("social_insurance", "yesno", "the enterprise pays the person's social insurance (缴纳社保)"),
      Key("contract_years", "count", "length of the labour contract in years (≥ 3)"),
      kinds=("enterprise",), matter="P4.1c:<person> (across enterprises)", shared="person")
def research_team_member(calc: Calculation) -> None:
    """A fixed amount per person (doctorate 100,000 / master 50,000) with social insurance and a contract of at least 3 years; one matter per person across enterprises."""
    calc.require(calc.basis["social_insurance"], Message(N_("social insurance is not paid (缴纳社保 is required)")))
    minimum = calc.param("min_contract_years")
    years = calc.basis["contract_years"]
    calc.require(years >= minimum, Message(N_("labour contract of {years} years is shorter than {minimum} (三年期以上)"), years=years, minimum=minimum))
    calc.step(Message(N_("social insurance paid, contract {years} ≥ {minimum} years"), years=years, minimum=minimum))
    degree = calc.basis["degree"]
    calc.fixed(degree, Message(N_("{degree} research funding"), degree=Message(degree)))
    calc.matter(matter_key("P4.1c", calc.basis["person"]))


@rule("P4.2a", Key("fee", "yuan", "training fee paid by the person"),
      Key("self_paid", "yesno", "the person paid the training fee themself (自费参加)"),
      Key("certificate", "subject", "number of the 晋级职业资格证书 the training earned (the G.3 matter)"),
      Key("shanxi_certificate", "yesno", "the certificate was issued by 国家技术转移人才培养基地(山西省)"),
      kinds=("person",), matter="P4.2a:<certificate> (the training that earned the certificate; the year first "
                                "awarded is final)", year_final=True)
def broker_training(calc: Calculation) -> None:
    """50 % of the self-paid training fee with the Shanxi certificate; at most 5,000 per person per year (cut to the room left); G.3 per certificate."""
    calc.require(calc.basis["self_paid"], Message(N_("the training was not self-paid (自费参加技术转移高端培训)")))
    calc.require(calc.basis["shanxi_certificate"],
                 Message(N_("the certificate was not issued by 国家技术转移人才培养基地(山西省) (取得……颁发的晋级职业资格证书)")))
    calc.step(Message(N_("self-paid, certificate {certificate} issued by the Shanxi base"),
                      certificate=calc.basis["certificate"]))
    calc.rate_of(calc.basis["fee"], calc.param("rate"), N_("fee"))
    calc.matter(matter_key("P4.2a", calc.basis["certificate"]),
                Message(N_("certificate {certificate}"), certificate=calc.basis["certificate"]))
    calc.cap_per_year(calc.param("annual_cap"))


@rule("P4.2b", kinds=("person",), matter="P4.2b:<year>", counted=True)
def outstanding_individual(calc: Calculation) -> None:
    """A fixed 100,000 to at most 10 individuals a year (the clause-year counter)."""
    calc.fixed("amount", N_("outstanding tech-transfer individual of the year"))
    calc.count_per_year(calc.param("per_year"), N_("outstanding individuals"))
    calc.matter(matter_key("P4.2b", calc.year))
