"""The conversion and exit terms of a 拨投结合 project (P2.2, P6.1), agreed at approval.

They are data, not code: the trigger, how the price is set, the maximum stake, the exit
formula (fixed price, principal, or principal plus simple interest), the window in which the
team may buy back and the ratio it may buy back. Events store them as plain dicts
(:meth:`ConversionTerms.as_dict`) so the stored history never depends on these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import InvalidAmount, InvalidDate, Refused
from domain.messages import N_, Message
from domain.money import fmt, parse_rate, round_fen, yuan

TRIGGERS = {"financing": "首轮市场化融资", "date": "约定日期"}
PRICINGS = {
    "round": "that financing round's price",
    "discount": "a discount on that round's price",
    "fixed": "a fixed pre-money valuation",
}
EXITS = {
    "fixed": "a fixed price",
    "principal": "the principal",
    "interest": "the principal plus simple interest",
}


def add_years(day: date, years: int) -> date:
    """The anniversary ``years`` later (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def elapsed_years(start: date, end: date) -> Decimal:
    """Whole anniversaries plus the fraction of the running year (actual days / days in that
    year from the last anniversary), so exactly two years after is exactly 2."""
    if end < start:
        raise InvalidDate(N_("{end} is before {start}"), end=end, start=start)
    whole = 0
    while add_years(start, whole + 1) <= end:
        whole += 1
    last = add_years(start, whole)
    following = add_years(start, whole + 1)
    return Decimal(whole) + Decimal((end - last).days) / Decimal((following - last).days)


def _rate(value: Any, what: str) -> Decimal:
    return parse_rate(value, what)


def pct2(share: Decimal) -> str:
    """A share of a stake for traces, as a percentage with 2 decimals: 1/3 → ``33.33%``."""
    return f"{(share * 100).quantize(Decimal('0.01'))}%"


def pct(rate: Decimal) -> str:
    """0.04 → ``4%``, 0.125 → ``12.5%`` for traces."""
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Trigger:
    """What has to happen before the grant may convert: a market financing round, or a date."""

    kind: str
    on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in TRIGGERS:
            raise Refused(N_("trigger must be one of {triggers}, not {kind!r}"), triggers=', '.join(TRIGGERS), kind=self.kind)
        if self.kind == "date" and self.on is None:
            raise Refused(N_("a date trigger needs its date"))

    def describe(self) -> str:
        return Message(N_("on {on}"), on=self.on) if self.kind == "date" else Message(N_("on the first market financing round"))


@dataclass(frozen=True)
class Pricing:
    """How the conversion price is set: the round's pre-money, a discount on it, or fixed."""

    mechanism: str
    pre_money: Decimal | None = None
    discount: Decimal | None = None

    def __post_init__(self) -> None:
        if self.mechanism not in PRICINGS:
            raise Refused(N_("pricing must be one of {pricings}, not {mechanism!r}"), pricings=', '.join(PRICINGS), mechanism=self.mechanism)
        if self.mechanism == "fixed" and (self.pre_money is None or self.pre_money <= 0):
            raise InvalidAmount(N_("fixed pricing needs a positive pre-money valuation"))
        if self.mechanism == "discount" and (self.discount is None or not 0 < self.discount < 1):
            raise InvalidAmount(N_("discount pricing needs a discount between 0 and 1"))

    def valuation(self, round_pre_money: Decimal | None) -> tuple[Decimal, str]:
        """The pre-money valuation the grant converts at, and how it was found."""
        if self.mechanism == "fixed":
            assert self.pre_money is not None
            return self.pre_money, Message(N_("fixed pre-money valuation {pre_money}"), pre_money=fmt(self.pre_money))
        if round_pre_money is None:
            raise Refused(N_("the pricing needs the financing round's pre-money valuation: record the round first"))
        if self.mechanism == "round":
            return round_pre_money, Message(N_("financing round pre-money {round_pre_money}"), round_pre_money=fmt(round_pre_money))
        assert self.discount is not None
        value = round_fen(round_pre_money * (1 - self.discount))
        return value, (
            Message(N_("round pre-money {round_pre_money} × (1 − {discount} discount) = {value}"), round_pre_money=fmt(round_pre_money), discount=pct(self.discount), value=fmt(value))
        )


@dataclass(frozen=True)
class ExitFormula:
    """The buyback price for the whole stake: fixed, principal, or principal plus simple interest."""

    kind: str
    price: Decimal | None = None
    rate: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXITS:
            raise Refused(N_("exit formula must be one of {exits}, not {kind!r}"), exits=', '.join(EXITS), kind=self.kind)
        if self.kind == "fixed" and (self.price is None or self.price <= 0):
            raise InvalidAmount(N_("a fixed buyback price must be positive"))
        if self.kind == "interest" and self.rate is None:
            raise InvalidAmount(N_("principal plus interest needs a yearly rate"))

    def price_of(
        self, principal: Decimal, share: Decimal, since: date, on: date, before: Decimal = Decimal(0)
    ) -> tuple[Decimal, str]:
        """Price, exercised ``on``, of the stake between ``before`` and ``share`` (cumulative fractions
        0–1 of the whole stake whose principal is ``principal``; ``before`` = already bought back).

        Parts are priced cumulatively, like conversions: the rounded price of everything bought so
        far minus the rounded price of what was bought before, both by the formula on ``on``. So
        parts bought on one day always add up exactly to the whole-stake price (no fen is gained
        or lost to rounding). Rounded half-up to the fen (the price is paid in fen)."""
        if not 0 <= before < share <= 1:
            raise InvalidAmount(N_("a buyback covers a share above {pct2} and at most 100%, not {pct22}"), pct2=pct2(before), pct22=pct2(share))
        whole, how = self._cumulative(principal, share, since, on)
        if before == 0:
            return whole, how
        earlier, _ = self._cumulative(principal, before, since, on)
        value = whole - earlier
        return value, (Message(N_("{how} for {pct2} bought back in all, less {earlier} for the {pct22} bought back before (same formula) = {value}"), how=how, pct2=pct2(share), earlier=fmt(earlier), pct22=pct2(before), value=fmt(value)))

    def _cumulative(self, principal: Decimal, share: Decimal, since: date, on: date) -> tuple[Decimal, str]:
        """The rounded price of ``share`` of the whole stake, and how it was found."""
        if self.kind == "fixed":
            assert self.price is not None
            value = round_fen(self.price * share)
            return value, Message(N_("fixed price {price} × {pct2} = {value}"), price=fmt(self.price), pct2=pct2(share), value=fmt(value))
        part = round_fen(principal * share)
        if self.kind == "principal":
            return part, Message(N_("principal {principal} × {pct2} = {part}"), principal=fmt(principal), pct2=pct2(share), part=fmt(part))
        assert self.rate is not None
        years = elapsed_years(since, on)
        value = round_fen(principal * share * (1 + self.rate * years))  # rounded once, at the end
        shown = years.normalize() if years == years.to_integral_value() else years.quantize(Decimal("0.0001"))
        of = "" if share == 1 else f" × {pct2(share)}"
        return value, (
            Message(N_("principal {principal}{of} × (1 + {rate} × {shown:f} years from {since} to {on}) = {value}"), principal=fmt(principal), of=of, rate=pct(self.rate), shown=shown, since=since, on=on, value=fmt(value))
        )

    def describe(self) -> str:
        if self.kind == "fixed":
            assert self.price is not None
            return Message(N_("fixed price {price}"), price=fmt(self.price))
        if self.kind == "principal":
            return Message(N_("principal"))
        assert self.rate is not None
        return Message(N_("principal plus {rate} simple interest a year"), rate=pct(self.rate))


@dataclass(frozen=True)
class ConversionTerms:
    """Everything agreed at approval about converting the grant and exiting the stake."""

    trigger: Trigger
    pricing: Pricing
    max_stake: Decimal
    exit: ExitFormula
    window_from_years: int = 0
    window_until_years: int = 5
    ratio: Decimal = Decimal(1)
    debt_rate: Decimal | None = None
    debt_years: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.max_stake <= 1:
            raise Refused(N_("the maximum stake must be above 0 % and at most 100 %"))
        if not 0 < self.ratio <= 1:
            raise Refused(N_("the buyback ratio must be above 0 % and at most 100 %"))
        if self.window_from_years < 0 or self.window_until_years < self.window_from_years:
            raise Refused(N_("the buyback window must run forwards (from ≤ until, in years after conversion)"))
        if self.trigger.kind == "date" and self.pricing.mechanism != "fixed":
            raise Refused(N_("a date trigger has no financing round to price from: use a fixed pre-money valuation"))
        if (self.debt_rate is None) != (self.debt_years is None):
            raise Refused(N_("debt terms need both a yearly rate and a term in years"))

    @classmethod
    def build(
        cls,
        *,
        trigger: str,
        trigger_on: date | None = None,
        pricing: str,
        pre_money: Decimal | None = None,
        discount: str | Decimal | None = None,
        max_stake: str | Decimal,
        exit_formula: str,
        exit_price: Decimal | None = None,
        exit_rate: str | Decimal | None = None,
        window_from_years: int = 0,
        window_until_years: int = 5,
        ratio: str | Decimal = "1",
        debt_rate: str | Decimal | None = None,
        debt_years: int | None = None,
    ) -> ConversionTerms:
        """Terms from officer input (rates as 0.04 or 4%), validated."""
        return cls(
            trigger=Trigger(trigger, trigger_on),
            pricing=Pricing(
                pricing,
                yuan(pre_money) if pre_money is not None else None,
                _rate(discount, "discount") if discount is not None else None,
            ),
            max_stake=_rate(max_stake, "maximum stake"),
            exit=ExitFormula(
                exit_formula,
                yuan(exit_price) if exit_price is not None else None,
                _rate(exit_rate, "exit interest rate") if exit_rate is not None else None,
            ),
            window_from_years=window_from_years,
            window_until_years=window_until_years,
            ratio=_rate(ratio, "buyback ratio"),
            debt_rate=_rate(debt_rate, "debt rate") if debt_rate is not None else None,
            debt_years=debt_years,
        )

    def debt_interest(self, principal: Decimal, since: date, on: date) -> tuple[Decimal, str]:
        """Simple interest at the agreed debt rate on ``principal`` from ``since`` to ``on``.

        Rounded half-up to the fen once per period in which the principal did not change
        (interest is paid in fen); the text is the trace step."""
        if self.debt_rate is None:
            raise Refused(N_("the approved terms have no debt terms"))
        years = elapsed_years(since, on)
        value = round_fen(principal * self.debt_rate * years)
        shown = years.normalize() if years == years.to_integral_value() else years.quantize(Decimal("0.0001"))
        return value, (
            Message(N_("{principal} × {debt_rate} × {shown:f} years from {since} to {on} = {value}"), principal=fmt(principal), debt_rate=pct(self.debt_rate), shown=shown, since=since, on=on, value=fmt(value))
        )

    def maturity(self, converted_on: date) -> date:
        """When the debt falls due: the agreed term in years after the conversion."""
        if self.debt_years is None:
            raise Refused(N_("the approved terms have no debt terms"))
        return add_years(converted_on, self.debt_years)

    def window(self, converted_on: date) -> tuple[date, date]:
        return add_years(converted_on, self.window_from_years), add_years(converted_on, self.window_until_years)

    def describe(self) -> list[str]:
        price: str = Message(N_("that financing round's price"))
        if self.pricing.mechanism == "fixed":
            assert self.pricing.pre_money is not None
            price = Message(N_("fixed pre-money valuation {pre_money}"), pre_money=fmt(self.pricing.pre_money))
        elif self.pricing.mechanism == "discount":
            assert self.pricing.discount is not None
            price = Message(N_("round price less {discount}"), discount=pct(self.pricing.discount))
        lines: list[str] = [
            Message(N_("trigger: {describe}; price: {price}; maximum stake {max_stake}"), describe=self.trigger.describe(), price=price, max_stake=pct(self.max_stake)),
            Message(N_("exit: buyback by the team at {describe}, {window_from_years}–{window_until_years} years after conversion, up to {ratio} of the stake"), describe=self.exit.describe(), window_from_years=self.window_from_years, window_until_years=self.window_until_years, ratio=pct(self.ratio)),
        ]
        if self.debt_rate is not None:
            lines.append(Message(N_("or into debt at {debt_rate} a year for {debt_years} years"), debt_rate=pct(self.debt_rate), debt_years=self.debt_years))
        return lines

    # storage ---------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        """Plain values (str, Decimal, date, int) for the event store."""
        return {
            "trigger": self.trigger.kind,
            "trigger_on": self.trigger.on,
            "pricing": self.pricing.mechanism,
            "pre_money": self.pricing.pre_money,
            "discount": self.pricing.discount,
            "max_stake": self.max_stake,
            "exit": self.exit.kind,
            "exit_price": self.exit.price,
            "exit_rate": self.exit.rate,
            "window_from_years": self.window_from_years,
            "window_until_years": self.window_until_years,
            "ratio": self.ratio,
            "debt_rate": self.debt_rate,
            "debt_years": self.debt_years,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ConversionTerms:
        def dec(key: str) -> Decimal | None:
            return Decimal(str(d[key])) if d.get(key) is not None else None

        trigger_on = d.get("trigger_on")
        if isinstance(trigger_on, str):
            trigger_on = date.fromisoformat(trigger_on)
        return cls(
            trigger=Trigger(d["trigger"], trigger_on),
            pricing=Pricing(d["pricing"], dec("pre_money"), dec("discount")),
            max_stake=Decimal(str(d["max_stake"])),
            exit=ExitFormula(d["exit"], dec("exit_price"), dec("exit_rate")),
            window_from_years=int(d["window_from_years"]),
            window_until_years=int(d["window_until_years"]),
            ratio=Decimal(str(d["ratio"])),
            debt_rate=dec("debt_rate"),
            debt_years=int(d["debt_years"]) if d.get("debt_years") is not None else None,
        )
