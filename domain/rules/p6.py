"""P6 科技创新: major projects, R&D investment, vouchers, incubators, upgrades, patents."""

from __future__ import annotations

from datetime import date

from domain.messages import N_, Message
from domain.money import fmt
from domain.rules.basis import Key, recognition_keys
from domain.rules.engine import Calculation, rule
from domain.rules.levels import recorded_level
from domain.rules.matters import matter_key


@rule("P6.2", Key("project", "subject", "the national/provincial major project led (its code)"),
      Key("national_allocation", "yuan", "last year's actual national allocation to the project (上年实际国拨经费; 0 if none)"),
      Key("provincial_allocation", "yuan", "last year's actual provincial allocation to the project (上年实际省拨经费; 0 if "
          "none)"),
      Key("performance", "choice", "contract performance (绩效正常和状态良好)", choices=("normal", "poor")),
      kinds=("enterprise", "university", "institute"), matter="P6.2:<project>:<year> (per project across recipients)",
      shared="project")
def major_project_team(calc: Calculation) -> None:
    """5 % of last year's actual national + provincial allocation, at most 600,000 per project across recipients; G.3 per project and year."""
    calc.require(calc.basis["performance"] == "normal", Message(N_("the project is not performing normally (绩效正常和状态良好)")))
    project = calc.basis["project"]
    national, provincial = calc.basis["national_allocation"], calc.basis["provincial_allocation"]
    allocation = national + provincial
    calc.step(Message(N_("last year's allocation: national {national} + provincial {provincial} = {allocation}"),
                      national=fmt(national), provincial=fmt(provincial), allocation=fmt(allocation)))
    calc.rate_of(allocation, calc.param("rate"), N_("last year's allocation"))
    calc.matter(matter_key("P6.2", project, calc.year))
    calc.cap_over(calc.param("project_cap"), Message(N_("per project {project}"), project=project), project=project)


def _one_year_after(entered: date, years: int) -> date:
    try:
        return entered.replace(year=entered.year + years)
    except ValueError:  # 29 February
        return entered.replace(year=entered.year + years, day=28)


@rule("P6.3a", Key("rd_investment", "yuan", "non-fiscal R&D investment (非财政研发投入)"),
      Key("rating", "choice", "performance rating (考核优秀 is required)", choices=("excellent", "good", "other")),
      kinds=("enterprise", "university", "institute"), matter="P6.3a", once=True)
def rd_investment(calc: Calculation) -> None:
    """10 % of non-fiscal R&D investment, at most 500,000, once, for an entity rated excellent at least one year after entry."""
    calc.require(calc.basis["rating"] == "excellent", Message(N_("the rating is not excellent (考核优秀)")))
    years = calc.param("min_years_after_entry")
    due = _one_year_after(calc.recipient.entered, years)
    calc.require(
        calc.decided >= due,
        Message(N_("{code} entered on {entered}; eligible from {due} (期满一年后)"), code=calc.recipient.code, entered=calc.recipient.entered, due=due),
    )
    calc.step(Message(N_("entered {entered}, ≥ {years} yr before the decision, rated excellent"), entered=calc.recipient.entered, years=years))
    calc.rate_of(calc.basis["rd_investment"], calc.param("rate"), N_("R&D investment"))
    calc.cap_per_award(calc.param("award_cap"), N_("one-time"))
    calc.matter(matter_key("P6.3a"))


@rule("P6.3b", Key("vouchers", "yuan", "face value of the innovation vouchers redeemed"),
      Key("voucher", "subject", "the voucher (or voucher batch) number: the G.3 matter"),
      kinds=("enterprise",), matter="P6.3b:<voucher> (the year first awarded is final)", year_final=True)
def innovation_vouchers(calc: Calculation) -> None:
    """The face value of the vouchers redeemed; at most 200,000 per enterprise per year (cut to the room left); G.3 per voucher."""
    vouchers = calc.basis["vouchers"]
    calc.amount = vouchers
    calc.step(Message(N_("vouchers redeemed {vouchers}"), vouchers=fmt(vouchers)))
    calc.matter(matter_key("P6.3b", calc.basis["voucher"]), f"voucher {calc.basis['voucher']}")
    calc.cap_per_year(calc.param("annual_cap"))


LEVEL3 = ("national", "provincial", "municipal")
CARRIERS = ("enterprise", "service_org", "university", "institute")  # 孵化器/众创空间 operators


SHARE = Key("share", "yuan", "this operator's part of the subject's award as the decision splits it "
            "(default: all that remains on the subject)", required=False)
CARRIER_READING = ("each incubator or makerspace is a subject with its own identity: the amount is per subject, so "
                   "an operator's second incubator is paid again; an upgrade of the same subject (municipal → "
                   "provincial → national) pays the difference; joint operators may split it, the total never "
                   "exceeds the amount")


@rule("P6.4a", Key("level", "choice", "incubator recognition level: default (and at most) the highest the recipient "
                   "holds on the decision date", choices=LEVEL3, required=False),
      Key("incubator", "subject", "the incubator's code (each incubator is a subject of its own)"), SHARE,
      *recognition_keys("the incubator"),
      kinds=CARRIERS, matter="P6.4a:<incubator> (per incubator across operators; an upgrade pays the difference)",
      shared="incubator", readings=(CARRIER_READING,))
def incubator(calc: Calculation) -> None:
    """A fixed amount per level (national 1,000,000 / provincial 500,000 / municipal 200,000) per incubator; an upgrade pays the difference."""
    calc.first_recognition(Message(N_("incubator {incubator}"), incubator=calc.basis["incubator"]))
    level = recorded_level(calc, LEVEL3)
    calc.fixed(level, Message(N_("new {level} incubator"), level=Message(level)))
    calc.matter(matter_key("P6.4a", calc.basis["incubator"]))
    calc.share(Message(N_("incubator {incubator}"), incubator=calc.basis["incubator"]))


@rule("P6.4b", Key("level", "choice", "makerspace level (national = filed): default (and at most) the highest the "
                   "recipient holds on the decision date", choices=LEVEL3, required=False),
      Key("makerspace", "subject", "the makerspace's code (each makerspace is a subject of its own)"), SHARE,
      *recognition_keys("the makerspace (national: filed, 备案)"),
      kinds=CARRIERS, matter="P6.4b:<makerspace> (per makerspace across operators; an upgrade pays the difference)",
      shared="makerspace", readings=(CARRIER_READING,))
def makerspace(calc: Calculation) -> None:
    """A fixed amount per level (national 300,000 / provincial or municipal 200,000) per makerspace; an upgrade pays the difference."""
    calc.first_recognition(Message(N_("makerspace {makerspace}"), makerspace=calc.basis["makerspace"]))
    level = recorded_level(calc, LEVEL3)
    calc.fixed(level, Message(N_("new {level} makerspace"), level=Message(level)))
    calc.matter(matter_key("P6.4b", calc.basis["makerspace"]))
    calc.share(Message(N_("makerspace {makerspace}"), makerspace=calc.basis["makerspace"]))


@rule("P6.5a", kinds=("enterprise",), matter="P6.5a", once=True)
def high_tech_enterprise(calc: Calculation) -> None:
    """A fixed 100,000, once, to an enterprise recognised as high-tech in the previous calendar year (from its recorded qualification)."""
    name = calc.param("qualification")
    last_year = calc.year - 1
    granted = [q for q in calc.recipient.qualifications
               if q.name == name and q.granted_on.year == last_year]
    calc.require(bool(granted), Message(N_("{code} has no {name} qualification granted in {last_year} (上年度通过认定)"), code=calc.recipient.code, name=name, last_year=last_year))
    calc.step(Message(N_("{name} granted {granted_on} (previous calendar year)"), name=name, granted_on=granted[0].granted_on))
    calc.fixed("amount", N_("one-time"))
    calc.matter(matter_key("P6.5a"))


# P6.5b level → the recorded qualification that is that level's first recognition
P6_5B_LEVELS = {
    "provincial_specialised": ("专精特新中小企业", "provincial"),
    "provincial_little_giant": ("专精特新小巨人企业", "provincial"),
    "national_little_giant": ("专精特新小巨人企业", "national"),
}


def _level_label(level: str) -> Message | str:
    """A P6.5b level in words (``national 专精特新小巨人企业``): its grade translated."""
    if level not in P6_5B_LEVELS:
        return level
    name, grade = P6_5B_LEVELS[level]
    return Message(N_("{grade} {name}"), grade=Message(grade), name=name)


@rule("P6.5b", Key("level", "choice", "first recognition: provincial 专精特新, provincial 小巨人, national 小巨人; "
                   "default (and at most) the highest the recipient holds on the decision date",
                   choices=tuple(P6_5B_LEVELS), required=False),
      kinds=("enterprise",), matter="P6.5b")
def specialised_upgrade(calc: Calculation) -> None:
    """The level comes from the recipient's recorded qualifications on the decision date, never
    from a typed value alone: a typed level must be one the recipient holds."""
    held = [level for level, (name, grade) in P6_5B_LEVELS.items()
            if calc.recipient.holds(name, grade, calc.decided)]
    recorded = [Message(N_("{name} {level} from {granted}"), name=q.name, level=Message(q.level), granted=q.granted_on)
                for q in calc.recipient.qualifications if q.name in {n for n, _ in P6_5B_LEVELS.values()}]
    listed = recorded or Message(N_("none"))
    calc.require(bool(held), Message(N_("{code} holds no 专精特新 / 小巨人 qualification on {decided} (recorded: "
                                        "{recorded}), record the qualification first"), code=calc.recipient.code,
                                     decided=calc.decided, recorded=listed))
    typed = calc.basis.get("level")
    if typed:
        calc.require(typed in held, Message(N_("level {level} is not held by {code} on {decided} (recorded: "
                                               "{recorded}); the level comes from the recorded qualifications"),
                                            level=typed, code=calc.recipient.code, decided=calc.decided,
                                            recorded=listed, level_label=_level_label(typed)))
    level = typed or held[-1]
    name, grade = P6_5B_LEVELS[level]
    granted = min(q.granted_on for q in calc.recipient.qualifications
                  if q.name == name and q.level == grade and q.holds_on(calc.decided))
    calc.step(Message(N_("{code} holds {name} ({grade}) from {granted}: level {level}"), code=calc.recipient.code,
                      name=name, grade=Message(grade), granted=granted, level=Message(level)))
    calc.fixed(level, Message(N_("first recognition {replace}"), replace=Message(level.replace('_', ' '))))
    calc.matter(matter_key("P6.5b"))


@rule("P6.7", Key("patent", "subject", "the patent number; one matter per patent"),
      Key("prize", "choice", "中国专利奖 (china) or 山西省专利奖 (shanxi)", choices=("china", "shanxi")), SHARE,
      kinds=("enterprise", "university", "institute", "person"), matter="P6.7:<patent> (per patent across holders)",
      shared="patent")
def patent_prize(calc: Calculation) -> None:
    """A fixed amount per prize (China 100,000 / Shanxi 50,000) per patent across holders; the higher prize pays the difference."""
    prize = calc.basis["prize"]
    calc.fixed(prize, Message(N_("{value} Patent Award"), value=Message(N_("China")) if prize == "china"
                                                                else Message(N_("Shanxi"))))
    calc.matter(matter_key("P6.7", calc.basis["patent"]))
    calc.share(Message(N_("patent {patent}"), patent=calc.basis["patent"]))


