"""P2 科技成果转化: rent subsidies, 一事一议, platform operation, brokers, contracts, rent support."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.enterprise import KINDS, Enterprise
from domain.messages import N_, Message
from domain.money import fmt, fmt_plain, round_fen
from domain.rules.basis import Key
from domain.rules.engine import Calculation, pct, rule
from domain.rules.matters import matter_key

RENT_PAID = Key("rent_paid", "yuan", "rent actually paid for the year (先缴后补: paid first, evidenced)")
AREA = Key("area", "m2", "area rented, in m²")
RENT_YEAR = Key("year", "year", "the year the rent was paid for (default: the decision year); 先缴后补: not after "
                "the decision year, not before the policy's start year (G.1) or the recipient's entry year",
                required=False)


def _rent_for_capped_area(calc: Calculation, area_cap: Decimal, space: str) -> None:
    """Pro-rata rent of the capped area: rent × min(area, cap) / area, rounded half-up once."""
    rent: Decimal = calc.basis["rent_paid"]
    area: Decimal = calc.basis["area"]
    calc.require(area > 0, Message(N_("area must be more than 0 m²")))
    covered = min(area, area_cap)
    if covered == area:
        calc.amount = rent
        calc.step(Message(N_("rent paid {rent} for {normalize:f} m² {space} (within {normalize2:f} m²)"), rent=fmt(rent), normalize=area.normalize(), space=Message(space), normalize2=area_cap.normalize()))
    else:
        calc.amount = round_fen(rent * covered / area)
        calc.step(
            Message(N_("rent paid {rent} × {normalize:f} / {normalize2:f} m² {space} = {amount}"), rent=fmt(rent), normalize=area_cap.normalize(), normalize2=area.normalize(), space=Message(space), amount=fmt(calc.amount))
        )


def _rent_year(calc: Calculation) -> int:
    """The rent year (default: the decision year); 先缴后补: the rent is paid first."""
    return calc.basis_year(N_("rent year"), N_("先缴后补: the rent is paid first, then subsidised"))


def _at_most_years(calc: Calculation, years_name: str) -> int:
    year = _rent_year(calc)
    max_years = calc.param(years_name)
    years = calc.recipient.clauses_years(calc.clause, "year")
    if year not in years:
        calc.require(
            len(years) < max_years,
            Message(N_("{code} already had rent subsidy for {count_years} years ({map}); at most {max_years} years"), code=calc.recipient.code, count_years=len(years), map=', '.join(map(str, sorted(years))), max_years=max_years),
        )
        counted = sorted(years | {year})
        calc.step(Message(N_("rent years counted {map}: {count_counted} of at most {max_years}"), map=', '.join(map(str, counted)), count_counted=len(counted), max_years=max_years))
    return year


@rule("P2.1a", RENT_PAID, AREA, Key("space", "choice", "factory (厂房) or office (办公空间)",
                                    choices=("factory", "office")), RENT_YEAR,
      Key("assessment", "choice", "the annual assessment (经年度考核) was passed", choices=("passed", "failed")),
      kinds=("enterprise",), matter="P2.1:rent:<year>")
def rent_subsidy_enterprise(calc: Calculation) -> None:
    """Rent actually paid, pro rata for at most 2000 m² factory or 500 m² office, after the annual assessment; at most 3 rent years per recipient (not necessarily consecutive); G.3 per rent year."""
    calc.require(calc.basis["assessment"] == "passed", Message(N_("the annual assessment is not passed (经年度考核)")))
    space = calc.basis["space"]
    cap = calc.param("factory_area_max" if space == "factory" else "office_area_max")
    year = _at_most_years(calc, "max_years")
    _rent_for_capped_area(calc, cap, space)
    calc.matter(matter_key("P2.1", "rent", year))


@rule("P2.1b", RENT_PAID, AREA, RENT_YEAR, kinds=("service_org",), matter="P2.1:rent:<year>")
def rent_subsidy_service_org(calc: Calculation) -> None:
    """Rent actually paid, pro rata for at most 100 m² office; at most 3 rent years per recipient; G.3 per rent year (one matter with P2.5)."""
    cap = calc.param("office_area_max")
    year = _at_most_years(calc, "max_years")
    _rent_for_capped_area(calc, cap, "office")
    calc.matter(matter_key("P2.1", "rent", year))


@rule("P2.1c", Key("project", "subject", "the key project decided 一事一议", required=False),
      kinds=("enterprise", "university", "institute"), decided=True, needs_reason=True,
      matter="P2.1c:<project> when a project is given")
def one_matter_one_decision(calc: Calculation) -> None:
    """一事一议: the officer's amount with a decision reference and a reason; no fixed cap."""
    calc.officer_amount(label=N_("(一事一议, no fixed cap)"))
    calc.step(Message(N_("reason: {reason}"), reason=calc.reason))
    project = calc.basis.get("project")
    if project:
        calc.matter(matter_key("P2.1c", project))


@rule("P2.3a", decided=True, kinds=("service_org",),
      matter="P2.3a:<year> (the year's operating support: awards under other policies for the year use the cap)")
def platform_operation(calc: Calculation) -> None:
    """The officer's amount, within 500,000 per year for the recipient; awards under other policies for the same year use the cap (G.3); refused over the room, never cut."""
    cap = calc.param("annual_cap")
    calc.officer_amount(cap=cap, label=N_("per year"))
    calc.matter(matter_key("P2.3a", calc.year), cap=cap, label=Message(
        N_("cap {cap}/yr for {code} in {year}"), cap=fmt_plain(cap), code=calc.recipient.code, year=calc.year))


@rule("P2.3b", Key("deal_value", "yuan", "the concluded technology deal's value"),
      Key("deal", "subject", "the deal (contract number); one reward per deal"), kinds=("person",),
      matter="P2.3b:<deal>")
def broker_reward(calc: Calculation) -> None:
    """Deal value × the broker ratio (a parameter that must be set first; no default), at most 100,000 per deal; G.3 per deal."""
    if not calc.book.has("P2.3b", "ratio"):
        calc.refuse(
            Message(N_("the broker ratio (交易额的一定比例) is not set: the policy leaves it open and there is no default; add parameter P2.3b.ratio with its valid_from and citation first"))
        )
    ratio = calc.param("ratio")
    calc.rate_of(calc.basis["deal_value"], ratio, N_("deal value"))
    calc.cap_per_award(calc.param("award_cap"), N_("per deal"))
    calc.matter(matter_key("P2.3b", calc.basis["deal"]))


@rule("P2.4", Key("contract_value", "yuan", "the registered contract's technology deal value"),
      Key("contract", "subject", "the contract's registration number (技术合同认定登记编号, given by the "
          "registration office): the G.3 matter"),
      Key("registered_on", "date", "the date the contract was registered (认定登记), on or before the decision"),
      Key("counterparty", "party", "the platform enterprise the contract is with (面向……平台的企业): its "
          "party code"),
      kinds=("university", "institute"), matter="P2.4:<contract> (the year first awarded is final)",
      year_final=True)
def contract_subsidy(calc: Calculation) -> None:
    """2 % of the registered contract's deal value, registered (认定登记) on or before the decision, with its counterparty shown; at most 500,000 per institution per calendar year (cut to the room left); G.3 per contract, the year first awarded is final."""
    contract = calc.basis["contract"]
    registered: date = calc.basis["registered_on"]
    calc.require(registered <= calc.decided,
                 Message(N_("contract {contract} is registered on {registered}, after the decision date {decided} "
                            "(技术合同经认定登记后)"), contract=contract, registered=registered, decided=calc.decided))
    counterparty = calc.basis["counterparty"]
    enterprise: Enterprise | None = calc.recorded.get("counterparty")
    if enterprise is None:
        known = Message(N_("{counterparty}, not registered in the ledger"), counterparty=counterparty)
    else:
        known = Message(N_("{counterparty} {name} ({kind})"), counterparty=enterprise.code, name=enterprise.name,
                        kind=KINDS[enterprise.kind])
    calc.rate_of(calc.basis["contract_value"], calc.param("rate"))
    calc.step(Message(N_("contract {contract} registered on {registered} (认定登记), with {counterparty}"),
                      contract=contract, registered=registered, counterparty=known))
    calc.matter(matter_key("P2.4", contract), Message(N_("contract {contract}"), contract=contract))
    calc.cap_per_year(calc.param("annual_cap"))


@rule("P2.5", RENT_PAID, Key("rate", "percent", "support rate chosen for this award (≥ 50 %, e.g. 60%)"),
      RENT_YEAR, Key("rating", "choice", "the organisation's rating (评价优秀 is required)",
                     choices=("excellent", "good", "other")),
      kinds=("service_org",), matter="P2.1:rent:<year>")
def agglomeration_rent_support(calc: Calculation) -> None:
    """Rent × the chosen rate (at least 50 %, at most 100 %) for an organisation rated excellent; 3 consecutive years from the first; G.3 per rent year (one matter with P2.1b)."""
    calc.require(calc.basis["rating"] == "excellent", Message(N_("the rating is not excellent (评价优秀)")))
    rate: Decimal = calc.basis["rate"]
    floor, top = calc.param("rate_floor"), calc.param("rate_max")
    calc.require(rate >= floor, Message(N_("rate {rate} is below the floor of {floor} (不低于 50%)"), rate=pct(rate), floor=pct(floor)))
    calc.require(rate <= top, Message(N_("rate {rate} is above {top} of the rent"), rate=pct(rate), top=pct(top)))
    year = _rent_year(calc)
    span = calc.param("consecutive_years")
    years = calc.recipient.clauses_years("P2.5", "year")
    if years:
        first = min(years)
        calc.require(
            first <= year < first + span,
            Message(N_("rent support runs for {span} consecutive years from {first} ({first}–{value}); {year} is outside"), span=span, first=first, value=first + span - 1, year=year),
        )
    calc.rate_of(calc.basis["rent_paid"], rate, N_("rent"))
    calc.matter(matter_key("P2.1", "rent", year))
