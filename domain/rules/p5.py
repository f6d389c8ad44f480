"""P5 科技金融: funds, angel funds, leasing, listings (G.3 step-up), insurance premiums.

The loan-loss split (P5.6a/P5.6b) is domain/compensation.py; it is not an award rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.messages import N_, Message
from domain.money import fmt, fmt_plain
from domain.rules.basis import Key
from domain.rules.engine import Calculation, pct, rule
from domain.rules.matters import matter_key

LISTING = "P5.5:listing"


@rule("P5.2", Key("contribution", "yuan", "the fund company's assessed contribution to the local economy"),
      Key("year", "year", "the assessment year (default: the decision year); not after the decision year, "
          "not before the policy's start year (G.1) or the recipient's entry year", required=False),
      kinds=("fund_manager",), matter="P5.2:<year>")
def fund_contribution(calc: Calculation) -> None:
    year = calc.basis_year(N_("assessment year"), N_("the contribution is assessed after the year"))
    contribution: Decimal = calc.basis["contribution"]
    calc.amount = contribution
    calc.step(Message(N_("equal to the contribution {contribution} in {year} (for equity investment)"), contribution=fmt(contribution), year=year))
    calc.matter(matter_key("P5.2", year))


def _years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


@rule("P5.3", Key("investment", "yuan", "actual investment in tech enterprises, government guidance money excluded"),
      Key("held_since", "date", "date the investment was made"),
      Key("rate", "percent", "award rate decided (at most 2%)"),
      Key("fund", "subject", "the angel fund (default: the recipient); one award per fund", required=False),
      kinds=("fund_manager",), matter="P5.3:<fund>", once=True)
def angel_fund(calc: Calculation) -> None:
    investment: Decimal = calc.basis["investment"]
    minimum = calc.param("min_investment")
    calc.require(investment >= minimum, Message(N_("investment {investment} is below {minimum} (达到 1000 万元)"), investment=fmt(investment), minimum=fmt_plain(minimum)))
    held_years = calc.param("min_holding_years")
    since: date = calc.basis["held_since"]
    held = _years_between(since, calc.decided)
    calc.require(held >= held_years, Message(N_("held since {since}: less than {held_years} year(s) on {decided} (投资期限满 1 年)"), since=since, held_years=held_years, decided=calc.decided))
    rate: Decimal = calc.basis["rate"]
    top = calc.param("max_rate")
    calc.require(rate <= top, Message(N_("rate {rate} exceeds {top} (不超过实际投资额 2%)"), rate=pct(rate), top=pct(top)))
    calc.step(Message(N_("investment ≥ {minimum}, held since {since} (≥ {held_years} yr)"), minimum=fmt_plain(minimum), since=since, held_years=held_years))
    calc.rate_of(investment, rate, N_("investment"))
    calc.cap_per_award(calc.param("award_cap"), N_("one-time per fund"))
    fund = calc.basis.get("fund") or calc.recipient.code
    calc.matter(matter_key("P5.3", fund), Message(N_("fund {fund}"), fund=fund))


@rule("P5.4", Key("financing_total", "yuan", "financing the organisation provided to enterprises that year"),
      Key("year", "year", "the financing year (当年; default: the decision year); not after the decision year, "
          "not before the policy's start year (G.1) or the recipient's entry year", required=False),
      kinds=("leasing",), matter="P5.4:<year> (one subsidy per financing year; a corrected total pays the "
                                 "difference within that year's cap)")
def leasing(calc: Calculation) -> None:
    year = calc.basis_year(N_("financing year"), N_("the subsidy follows the year's financing"))
    calc.rate_of(calc.basis["financing_total"], calc.param("rate"), Message(N_("{year} financing"), year=year))
    calc.matter(matter_key("P5.4", year), Message(N_("financing year {year}"), year=year))
    calc.cap_per_year(calc.param("annual_cap"), year, N_("financing year"))


@rule("P5.5a", Key("private", "yesno", "the enterprise is a private enterprise (民营企业)"),
      kinds=("enterprise",), matter=LISTING)
def main_board_listing(calc: Calculation) -> None:
    calc.require(calc.basis["private"], Message(N_("the enterprise is not a private enterprise (民营企业)")))
    calc.fixed("amount", N_("listed on a main board / SME board / ChiNext / STAR, one-time"))
    calc.matter(LISTING)


@rule("P5.5b", kinds=("enterprise",), matter=LISTING)
def neeq_listing(calc: Calculation) -> None:
    calc.fixed("amount", N_("listed on NEEQ (新三板), one-time"))
    calc.matter(LISTING)


@rule("P5.5c", Key("fees", "yuan", "rating and audit fees paid (中介评级费用和审计费用)"),
      Key("financing", "choice", "financing after listing (挂牌并融资成功)", choices=("succeeded", "failed")),
      kinds=("enterprise",), matter="P5.5c", once=True)
def equity_exchange_financing(calc: Calculation) -> None:
    calc.require(calc.basis["financing"] == "succeeded", Message(N_("the financing did not succeed (挂牌并融资成功)")))
    calc.rate_of(calc.basis["fees"], calc.param("rate"), N_("fees"))
    calc.cap_per_award(calc.param("award_cap"), N_("one-time"))
    calc.matter(matter_key("P5.5c"))


@rule("P5.5d", kinds=("enterprise",), matter=LISTING)
def jinxing_board_listing(calc: Calculation) -> None:
    calc.fixed("amount", N_("listed on the 晋兴板 of the Shanxi equity exchange, one-time"))
    calc.matter(LISTING)


@rule("P5.7", Key("premium", "yuan", "tech insurance premium paid"), kinds=("enterprise",))
def insurance_premium(calc: Calculation) -> None:
    calc.rate_of(calc.basis["premium"], calc.param("rate"), N_("premium"))
    calc.cap_per_year(calc.param("annual_cap"))
