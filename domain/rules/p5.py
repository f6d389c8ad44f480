"""P5 科技金融: funds, angel funds, leasing, listings (G.3 step-up), loan-loss compensation
(P5.6a/P5.6b, loss splits recorded on the loan), insurance premiums.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.errors import CapExceeded, Refused
from domain.journal import CITY, PROVINCE
from domain.messages import N_, Message
from domain.money import ZERO, fmt, fmt_plain
from domain.rules.basis import Key
from domain.rules.engine import Calculation, pct, rule
from domain.rules.matters import matter_key
from domain.rules.split import SplitCalculation, loss_split

if TYPE_CHECKING:  # the fund is read from the record (calc.recorded): its class is not loaded for other rules
    from domain.fund import Fund

LISTING = "P5.5:listing"


@rule("P5.2", Key("contribution", "yuan", "the fund company's assessed contribution to the local economy"),
      Key("year", "year", "the assessment year (default: the decision year); not after the decision year, "
          "not before the policy's start year (G.1) or the recipient's entry year", required=False),
      kinds=("fund_manager",), matter="P5.2:<year>")
def fund_contribution(calc: Calculation) -> None:
    """Equal to the fund company's assessed contribution to the local economy; G.3 per assessment year."""
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


@rule("P5.3", Key("fund", "text", "the angel fund's registered code (`jcg fund register`): its recorded direct "
                  "investments, each with its date and government guidance money, are the basis"),
      Key("rate", "percent", "award rate decided (at most 2%)"),
      kinds=("fund_manager",), matter="P5.3:<fund>", once=True,
      readings=("the investment counted is each recorded direct investment of the fund less the government "
                "guidance money in it (扣除政府引导资金), counted when held at least 1 year on the decision date "
                "(投资期限满 1 年); the fund's recorded manager must be the recipient",))
def angel_fund(calc: Calculation) -> None:
    """The decided rate (at most 2 %) of the investment (government guidance money excluded) held at least 1 year, at least 10,000,000 invested; at most 2,000,000, once per fund."""
    code = calc.basis["fund"]
    fund: Fund | None = calc.recorded.get("fund")
    if fund is None:
        calc.refuse(Message(N_("fund {fund} is not registered (its recorded investments are the basis)"), fund=code))
    calc.require(fund.manager in {calc.recipient.code, calc.recipient.name},
                 Message(N_("fund {fund} is managed by {manager}, not by {code}"), fund=code,
                         manager=fund.manager or Message(N_("(no manager recorded)")), code=calc.recipient.code))
    rate: Decimal = calc.basis["rate"]
    top = calc.param("max_rate")
    calc.require(rate <= top, Message(N_("rate {rate} exceeds {top} (不超过实际投资额 2%)"), rate=pct(rate), top=pct(top)))
    minimum = calc.param("min_investment")
    held_years = calc.param("min_holding_years")
    investment = ZERO
    for lot in fund.direct_investments():
        if lot.acquired_on is None or lot.acquired_on > calc.decided:
            continue
        net = lot.acquired_cost - lot.guidance
        held = _years_between(lot.acquired_on, calc.decided) >= held_years
        counted = (Message(N_("counted")) if held else
                   Message(N_("held < {years} yr on {decided}, not counted"), years=held_years, decided=calc.decided))
        calc.step(Message(N_("{enterprise} {on}: {cost} − guidance {guidance} = {net}, {counted}"),
                          enterprise=lot.enterprise, on=lot.acquired_on, cost=fmt(lot.acquired_cost),
                          guidance=fmt(lot.guidance), net=fmt(net), counted=counted))
        if held:
            investment += net
    calc.require(investment >= minimum,
                 Message(N_("investment held ≥ {years} yr after deducting government guidance money is {investment}, "
                            "below {minimum} (达到 1000 万元, 扣除政府引导基金后, 投资期限满 1 年)"), years=held_years,
                         investment=fmt(investment), minimum=fmt_plain(minimum)))
    calc.rate_of(investment, rate, "investment")
    calc.cap_per_award(calc.param("award_cap"), N_("one-time per fund"))
    calc.matter(matter_key("P5.3", code), Message(N_("fund {fund}"), fund=code))


@rule("P5.4", Key("financing_total", "yuan", "financing the organisation provided to enterprises that year"),
      Key("year", "year", "the financing year (当年; default: the decision year); not after the decision year, "
          "not before the policy's start year (G.1) or the recipient's entry year", required=False),
      kinds=("leasing",), matter="P5.4:<year> (one subsidy per financing year; a corrected total pays the "
                                 "difference within that year's cap)")
def leasing(calc: Calculation) -> None:
    """0.5 % of the year's financing total; at most 1,000,000 per organisation per financing year; G.3 per financing year."""
    year = calc.basis_year(N_("financing year"), N_("the subsidy follows the year's financing"))
    calc.rate_of(calc.basis["financing_total"], calc.param("rate"), Message(N_("{year} financing"), year=year))
    calc.matter(matter_key("P5.4", year), Message(N_("financing year {year}"), year=year))
    calc.cap_per_year(calc.param("annual_cap"), year, N_("financing year"))


@rule("P5.5a", Key("private", "yesno", "the enterprise is a private enterprise (民营企业)"),
      kinds=("enterprise",), matter=LISTING)
def main_board_listing(calc: Calculation) -> None:
    """A fixed 500,000 to a private enterprise listed on a main board; the listing family steps up under G.3."""
    calc.require(calc.basis["private"], Message(N_("the enterprise is not a private enterprise (民营企业)")))
    calc.fixed("amount", N_("listed on a main board / SME board / ChiNext / STAR, one-time"))
    calc.matter(LISTING)


@rule("P5.5b", kinds=("enterprise",), matter=LISTING)
def neeq_listing(calc: Calculation) -> None:
    """A fixed 300,000 for a NEEQ listing; the listing family steps up under G.3."""
    calc.fixed("amount", N_("listed on NEEQ (新三板), one-time"))
    calc.matter(LISTING)


@rule("P5.5c", Key("fees", "yuan", "rating and audit fees paid (中介评级费用和审计费用)"),
      Key("financing", "choice", "financing after listing (挂牌并融资成功)", choices=("succeeded", "failed")),
      kinds=("enterprise",), matter="P5.5c", once=True)
def equity_exchange_financing(calc: Calculation) -> None:
    """50 % of the rating and audit fees when the financing succeeded, at most 100,000, once (beside the listing step-up)."""
    calc.require(calc.basis["financing"] == "succeeded", Message(N_("the financing did not succeed (挂牌并融资成功)")))
    calc.rate_of(calc.basis["fees"], calc.param("rate"), N_("fees"))
    calc.cap_per_award(calc.param("award_cap"), N_("one-time"))
    calc.matter(matter_key("P5.5c"))


@rule("P5.5d", kinds=("enterprise",), matter=LISTING)
def jinxing_board_listing(calc: Calculation) -> None:
    """A fixed 100,000 for a 晋兴板 listing; the listing family steps up under G.3."""
    calc.fixed("amount", N_("listed on the 晋兴板 of the Shanxi equity exchange, one-time"))
    calc.matter(LISTING)


LOSS = Key("loss", "yuan", "the principal loss after the bank exhausted recovery (本金损失)")


def _rates(fixed: str) -> tuple[Key, Key]:
    return (Key("province_rate", "percent", f"the province's share, with city_rate{fixed}", required=False),
            Key("city_rate", "percent", f"the city's share, with province_rate{fixed}", required=False))


@loss_split("P5.6a", LOSS, *_rates(" (fixed by the notice: a rate other than 35% is refused)"), kinds=("bank",))
def tech_transfer_loan_loss(calc: SplitCalculation) -> None:
    """The principal loss is split: province 35 %, city 35 %, the lending bank the rest (30 %); each public share rounded half-up to the fen, the bank's share is the loss minus both."""
    pr, cr, br = calc.param("province_share"), calc.param("city_share"), calc.param("bank_share")
    if pr + cr + br != 1:
        raise ValueError(Message(N_("P5.6a parameters do not add up to 100%: {pr} + {cr} + {br}"), pr=pr, cr=cr, br=br))
    given = (calc.basis.get("province_rate"), calc.basis.get("city_rate"))
    if given != (None, None) and given != (pr, cr):
        raise Refused(N_("P5.6a: the shares are fixed by the notice at {percent} / {percent2} / {percent3}; they cannot be changed per loss"), percent=pct(pr), percent2=pct(cr), percent3=pct(br))
    calc.share(PROVINCE, pr)
    calc.share(CITY, cr)


@loss_split("P5.6b", LOSS, *_rates(", within the 90% ceiling (default: the rule book's 45% / 45%)"), kinds=("bank",),
            readings=("the 90 % ceiling (最高可达 90%) holds on the amounts after rounding: the public total never "
                      "exceeds 90 % of the loss rounded down to the fen; a fen over it comes off the city's share",))
def early_stage_credit_loan_loss(calc: SplitCalculation) -> None:
    """The province and the city together pay at most 90 % of the principal loss (default 45 % each, or rates decided within the ceiling); the lending bank bears the rest."""
    ceiling = calc.param("public_share_max")
    given = (calc.basis.get("province_rate"), calc.basis.get("city_rate"))
    if given == (None, None):
        pr, cr = calc.param("province_share"), calc.param("city_share")
    elif None in given:
        raise Refused(N_("P5.6b: give both the province and the city rate, or neither"))
    else:
        pr, cr = given
    if pr < 0 or cr < 0:
        raise Refused(N_("P5.6b: a share rate cannot be negative"))
    if pr + cr > ceiling:
        raise CapExceeded(N_("P5.6b: province {percent} + city {percent2} = {percent3} exceeds the {percent4} ceiling (最高可达 {percent4})"), percent=pct(pr), percent2=pct(cr), percent3=pct(pr + cr), percent4=pct(ceiling))
    calc.share(PROVINCE, pr)
    calc.share(CITY, cr)
    calc.step(Message(N_("province + city {percent} of the loss, within the {ceiling} ceiling"), percent=pct(pr + cr),
                      ceiling=pct(ceiling)))
    calc.public_at_most(ceiling)


@rule("P5.7", Key("premium", "yuan", "tech insurance premium paid"),
      Key("policy", "subject", "the insurance policy (保单) number: the G.3 matter"),
      kinds=("enterprise",), matter="P5.7:<policy> (the year first awarded is final)", year_final=True)
def insurance_premium(calc: Calculation) -> None:
    """50 % of the premium; at most 200,000 per enterprise per year (cut to the room left); G.3 per insurance policy."""
    calc.rate_of(calc.basis["premium"], calc.param("rate"), N_("premium"))
    calc.matter(matter_key("P5.7", calc.basis["policy"]), f"insurance policy {calc.basis['policy']}")
    calc.cap_per_year(calc.param("annual_cap"))
