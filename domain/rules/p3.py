"""P3 研发机构: platforms (one-time per platform and level, G.3 on upgrade), R&D institutions."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.money import fmt, fmt_plain
from domain.rules.basis import Key, recognition_keys
from domain.rules.engine import Calculation, rule
from domain.rules.levels import recorded_level
from domain.rules.matters import matter_key

PLATFORM = Key("platform", "subject", "the platform's code or name (one matter per platform; upgrades pay the difference)")
SHARE = Key("share", "yuan", "this co-builder's part of the platform's award as the decision splits it "
            "(联合建设; default: all that remains on the platform)", required=False)
RECOGNISED = recognition_keys("the platform")
JOINT = ("独立或者联合建设: a platform is a subject with its own identity; the amount is paid once per platform "
         "(and per level), whoever built it; co-builders may share it in any split the decision states (basis "
         "share), the total over all co-builders never exceeds the amount; an upgrade pays the platform the "
         "difference once")


@rule("P3.1a", PLATFORM, SHARE, *RECOGNISED, kinds=("enterprise", "university", "institute"),
      matter="P3.1:<platform> (per platform across co-builders)", shared="platform", family="P3.1", readings=(JOINT,))
def national_platform(calc: Calculation) -> None:
    """A fixed 3,000,000 per new national platform, once per platform whoever built it (split between co-builders allowed)."""
    calc.first_recognition(Message(N_("platform {platform}"), platform=calc.basis["platform"]))
    recorded_level(calc, ("national",))
    calc.fixed("amount", N_("new national key lab / technology innovation centre / clinical centre"))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))
    calc.share(Message(N_("platform {platform}"), platform=calc.basis["platform"]))


@rule("P3.1b", PLATFORM, Key("level", "choice", "recognition level: default (and at most) the highest the recipient "
                              "holds on the decision date", choices=("provincial", "municipal"), required=False),
      SHARE,
      *RECOGNISED,
      kinds=("enterprise", "university", "institute"), matter="P3.1:<platform> (per platform across co-builders)",
      shared="platform", family="P3.1", readings=(JOINT,))
def recognised_lab(calc: Calculation) -> None:
    """A fixed amount per level (provincial 500,000 / municipal 100,000) per platform; an upgrade pays the difference; split between co-builders allowed."""
    calc.first_recognition(Message(N_("platform {platform}"), platform=calc.basis["platform"]))
    level = recorded_level(calc, ("provincial", "municipal"))
    calc.fixed(level, Message(N_("{level} key lab / innovation centre / pilot base"), level=Message(level)))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))
    calc.share(Message(N_("platform {platform}"), platform=calc.basis["platform"]))


@rule("P3.1c", PLATFORM, Key("level", "choice", "recognition level: default (and at most) the highest the recipient "
                              "holds on the decision date", choices=("national", "provincial", "municipal"),
                              required=False),
      SHARE, *RECOGNISED, kinds=("enterprise",), matter="P3.1:<platform> (per platform across co-builders)",
      shared="platform",
      family="P3.1", readings=(JOINT,))
def enterprise_technology_centre(calc: Calculation) -> None:
    """A fixed amount per level (national / provincial / municipal) per enterprise technology centre; an upgrade pays the difference."""
    calc.first_recognition(Message(N_("platform {platform}"), platform=calc.basis["platform"]))
    level = recorded_level(calc, ("national", "provincial", "municipal"))
    calc.fixed(level, Message(N_("{level} enterprise technology centre"), level=Message(level)))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))
    calc.share(Message(N_("platform {platform}"), platform=calc.basis["platform"]))


@rule("P3.2a", *recognition_keys("the institution as a provincial new-type R&D institution"),
      kinds=("institute", "enterprise"), decided=True, matter="P3.2a", once=True)
def provincial_new_rd_institution(calc: Calculation) -> None:
    """The officer's amount, at least 500,000, once per institution (一次性)."""
    calc.first_recognition(Message(N_("{code} as a provincial new-type R&D institution"), code=calc.recipient.code))
    recorded_level(calc, ("provincial",))
    calc.officer_amount(floor=calc.param("floor"), label=N_("(不低于 50 万元)"))
    calc.matter(matter_key("P3.2a"))


@rule("P3.2b", Key("evaluation", "choice", "the performance evaluation (绩效评价) of the period assessed",
                   choices=("passed", "failed")),
      Key("rd_spending", "yuan", "actual R&D spending (研发经费实际支出) in the year assessed"),
      Key("period_from", "date", "first day of the construction period (建设周期)"),
      Key("period_to", "date", "last day of the construction period"),
      Key("spent_year", "year", "the year of the R&D spending assessed: within the construction period"),
      kinds=("institute", "enterprise"), decided=True,
      matter="P3.2b (the institution's construction period: awards under other policies use the cap too)")
def municipal_new_rd_institution(calc: Calculation) -> None:
    """The officer's amount in tranches, at most 300,000 in total over the construction period (awards under other policies count); refused over the room, never cut."""
    start, end, year = calc.basis["period_from"], calc.basis["period_to"], calc.basis["spent_year"]
    calc.require(start <= end, Message(N_("the construction period ends ({end}) before it starts ({start})"), end=end,
                                       start=start))
    calc.require(start.year <= year <= end.year,
                 Message(N_("R&D spending of {year} is outside the construction period {start} to {end} (按照建设周期)"),
                         year=year, start=start, end=end))
    calc.require(calc.basis["evaluation"] == "passed",
                 Message(N_("the performance evaluation is not passed (根据绩效评价)")))
    spent = calc.basis["rd_spending"]
    calc.require(spent > 0, Message(N_("no actual R&D spending (研发经费实际支出) in the year assessed")))
    calc.step(Message(N_("performance evaluation passed; R&D spending {spent} in {year}, within the construction "
                         "period {start} to {end}"), spent=fmt(spent), year=year, start=start, end=end))
    cap = calc.param("period_cap")
    calc.officer_amount(cap=cap, label=N_("over the construction period"))
    calc.matter(matter_key("P3.2b"), cap=cap, label=Message(N_("cap {cap} {scope}"), cap=fmt_plain(cap),
                                                            scope=Message(N_("over the construction period"))))


@rule("P3.3", Key("institute", "subject", "the industrial (technology) research institute recognised at city level"),
      *recognition_keys("the research institute"),
      kinds=("university", "institute"), matter="P3.3:<institute>", once=True)
def industrial_research_institute(calc: Calculation) -> None:
    """A fixed 100,000, once per city-recognised research institute."""
    calc.first_recognition(Message(N_("institute {institute}"), institute=calc.basis["institute"]))
    calc.fixed("amount", N_("city-recognised industrial research institute, one-time"))
    calc.matter(matter_key("P3.3", calc.basis["institute"]), Message(N_("institute {institute}"), institute=calc.basis['institute']))


@rule("P3.4", PLATFORM, Key("output_value", "yuan", "conversion output value in the platform area in the year"), SHARE,
      kinds=("enterprise", "university", "institute"), matter="P3.4:<platform> (per platform across co-builders)",
      once=True, shared="platform", readings=(JOINT,))
def national_platform_output(calc: Calculation) -> None:
    """A fixed 3,000,000 once per national platform whose conversion output in the platform area exceeds 100,000,000 in a year; split between co-builders allowed."""
    threshold = calc.param("output_threshold")
    output = calc.basis["output_value"]
    calc.require(output > threshold, Message(N_("output value {output} does not exceed {threshold} (超过1亿元)"), output=fmt(output), threshold=fmt_plain(threshold)))
    calc.step(Message(N_("output {output} > {threshold}"), output=fmt(output), threshold=fmt_plain(threshold)))
    calc.fixed("amount", N_("one-time"))
    calc.matter(matter_key("P3.4", calc.basis["platform"]), Message(N_("platform {platform}"), platform=calc.basis['platform']))
    calc.share(Message(N_("platform {platform}"), platform=calc.basis["platform"]))
