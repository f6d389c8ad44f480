"""P3 研发机构: platforms (one-time per platform and level, G.3 on upgrade), R&D institutions."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.money import fmt, fmt_plain
from domain.rules.basis import Key
from domain.rules.engine import Calculation, rule
from domain.rules.matters import matter_key

PLATFORM = Key("platform", "subject", "the platform's code or name (one matter per platform; upgrades pay the difference)")


@rule("P3.1a", PLATFORM, kinds=("enterprise", "university", "institute"), matter="P3.1:<platform>")
def national_platform(calc: Calculation) -> None:
    calc.fixed("amount", N_("new national key lab / technology innovation centre / clinical centre"))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))


@rule("P3.1b", PLATFORM, Key("level", "choice", "recognition level", choices=("provincial", "municipal")),
      kinds=("enterprise", "university", "institute"), matter="P3.1:<platform>")
def recognised_lab(calc: Calculation) -> None:
    level = calc.basis["level"]
    calc.fixed(level, Message(N_("{level} key lab / innovation centre / pilot base"), level=Message(level)))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))


@rule("P3.1c", PLATFORM, Key("level", "choice", "recognition level", choices=("national", "provincial", "municipal")),
      kinds=("enterprise",), matter="P3.1:<platform>")
def enterprise_technology_centre(calc: Calculation) -> None:
    level = calc.basis["level"]
    calc.fixed(level, Message(N_("{level} enterprise technology centre"), level=Message(level)))
    calc.matter(matter_key("P3.1", calc.basis["platform"]))


@rule("P3.2a", kinds=("institute", "enterprise"), decided=True, matter="P3.2a", once=True)
def provincial_new_rd_institution(calc: Calculation) -> None:
    calc.officer_amount(floor=calc.param("floor"), label=N_("(不低于 50 万元)"))
    calc.matter(matter_key("P3.2a"))


@rule("P3.2b", kinds=("institute", "enterprise"), decided=True)
def municipal_new_rd_institution(calc: Calculation) -> None:
    cap = calc.param("period_cap")
    calc.officer_amount(cap=cap, label=N_("over the construction period"))
    calc.cap_over(cap, N_("over the construction period"))


@rule("P3.3", Key("institute", "subject", "the industrial (technology) research institute recognised at city level"),
      kinds=("university", "institute"), matter="P3.3:<institute>", once=True)
def industrial_research_institute(calc: Calculation) -> None:
    calc.fixed("amount", N_("city-recognised industrial research institute, one-time"))
    calc.matter(matter_key("P3.3", calc.basis["institute"]), Message(N_("institute {institute}"), institute=calc.basis['institute']))


@rule("P3.4", PLATFORM, Key("output_value", "yuan", "conversion output value in the platform area in the year"),
      kinds=("enterprise", "university", "institute"), matter="P3.4:<platform>", once=True)
def national_platform_output(calc: Calculation) -> None:
    threshold = calc.param("output_threshold")
    output = calc.basis["output_value"]
    calc.require(output > threshold, Message(N_("output value {output} does not exceed {threshold} (超过1亿元)"), output=fmt(output), threshold=fmt_plain(threshold)))
    calc.step(Message(N_("output {output} > {threshold}"), output=fmt(output), threshold=fmt_plain(threshold)))
    calc.fixed("amount", N_("one-time"))
    calc.matter(matter_key("P3.4", calc.basis["platform"]), Message(N_("platform {platform}"), platform=calc.basis['platform']))
