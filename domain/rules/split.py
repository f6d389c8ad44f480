"""The second kind of rule: a loss shared between bearers (P5.6 loan-loss compensation).

A ``@loss_split`` rule is registered beside the award rules (one registry, one rule per clause),
declares its basis keys like them, reads its parameters through the same :class:`Derivation`
(the value in force on the decision date, each version recorded) and writes its trace with the
engine's one line builder. Its body sets each public bearer's share (省财政, 市财政), rounded
half-up to the fen; the bank bears the remainder, so the shares always add up to the loss.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from domain.compensation import BANK
from domain.errors import InvalidAmount
from domain.journal import CITY, PROVINCE
from domain.messages import N_, Message
from domain.money import FEN, fmt, round_fen, yuan
from domain.parameters import ParameterBook
from domain.rules.basis import Basis, Key, canonical_text, parse_basis
from domain.rules.engine import SPLIT, Derivation, Rule, find_rule, pct, register, trace_line

PUBLIC = (PROVINCE, CITY)  # the public bearers, in the order the trace names them


@dataclass(frozen=True)
class Split:
    """The shares of one loss and how they were found (what a claim records)."""

    clause: str
    loss: Decimal
    province: Decimal
    city: Decimal
    bank: Decimal
    province_rate: Decimal
    city_rate: Decimal
    trace: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)  # the basis as given, one spelling per value

    @property
    def shares(self) -> dict[str, Decimal]:
        """Bearer → share, in the order 省财政, 市财政, bank."""
        return {PROVINCE: self.province, CITY: self.city, BANK: self.bank}

    @property
    def public(self) -> Decimal:
        return self.province + self.city


@dataclass
class SplitCalculation(Derivation):
    """The working state of one loss split; split bodies call :meth:`share` for each public bearer."""

    loss: Decimal = field(default=Decimal("0.00"), kw_only=True)
    shares: dict[str, Decimal] = field(default_factory=dict, kw_only=True)
    rates: dict[str, Decimal] = field(default_factory=dict, kw_only=True)

    def share(self, bearer: str, rate: Decimal) -> Decimal:
        """``rate × loss`` for a public bearer, rounded half-up to the fen."""
        amount = round_fen(rate * self.loss)
        self.shares[bearer] = amount
        self.rates[bearer] = rate
        self.step(Message(N_("{bearer} {rate} × {loss} = {amount}"), bearer=bearer, rate=pct(rate),
                          loss=fmt(self.loss), amount=fmt(amount)))
        return amount

    def public_at_most(self, ceiling: Decimal) -> None:
        """A ceiling on the public total ("最高可达"): after rounding it may reach, never exceed,
        ``ceiling × loss`` rounded down to the fen; a fen over it comes off the city's share (off
        the province's only if the city's is zero), and the bank bears it."""
        cap = (ceiling * self.loss).quantize(FEN, rounding=ROUND_DOWN)
        total = sum(self.shares.values(), Decimal("0.00"))
        if total <= cap:
            return
        excess = total - cap
        off_city = min(excess, self.shares[CITY])
        self.shares[CITY] -= off_city
        self.shares[PROVINCE] -= excess - off_city
        taken: str = Message(N_("{off_city} off {city}'s share → {city2}"), off_city=fmt(off_city), city=CITY,
                             city2=fmt(self.shares[CITY]))
        if excess > off_city:
            taken += Message(N_(", {value} off {province}'s share → {province2}"), value=fmt(excess - off_city),
                             province=PROVINCE, province2=fmt(self.shares[PROVINCE]))
        self.step(Message(N_("ceiling: {value} rounded half-up exceeds {percent} × {loss} = {ceiling_amount} (rounded "
                             "down to the fen) by {excess}: {taken}, which the bank bears"),
                          value=fmt(total), percent=pct(ceiling), loss=fmt(self.loss), ceiling_amount=fmt(cap),
                          excess=fmt(excess), taken=taken))


def loss_split(clause: str, *keys: Key, kinds: tuple[str, ...], readings: tuple[str, ...] = ()
               ) -> Callable[[Callable[[SplitCalculation], None]], Callable[[SplitCalculation], None]]:
    """Register the body of the loss split for ``clause`` (the sibling of ``@rule``). ``kinds``:
    who bears the rest and is compensated (the lending bank)."""
    if "loss" not in {k.name for k in keys}:
        raise RuntimeError(f"loss split {clause} must read the loss (a basis key 'loss')")

    def add(body: Callable[[SplitCalculation], None]) -> Callable[[SplitCalculation], None]:
        register(Rule(clause, tuple(keys), body, kinds, readings=tuple(readings), kind=SPLIT))
        return body

    return add


def split_loss(clause: str, loss: Decimal, decided: date, book: ParameterBook, *,
               province_rate: Decimal | None = None, city_rate: Decimal | None = None) -> Split:
    """Split ``loss`` under ``clause`` with the parameters in force on ``decided`` (rates given by
    the decision, where the clause allows them, instead of the defaults)."""
    given = {"province_rate": province_rate, "city_rate": city_rate}
    return _split(find_rule(clause, SPLIT), {"loss": loss, **{k: v for k, v in given.items() if v is not None}},
                  decided, book)


def split_of_basis(clause: str, raw: Mapping[str, str], decided: date, book: ParameterBook) -> Split:
    """The same split from ``key=value`` text (`jcg policy calc P5.6a --basis loss=…`, a recorded basis)."""
    r = find_rule(clause, SPLIT)
    return _split(r, dict(parse_basis(r.clause, r.keys, raw).values), decided, book)


def _split(r: Rule, values: dict[str, Any], decided: date, book: ParameterBook) -> Split:
    loss = yuan(values["loss"])
    if loss <= 0:
        raise InvalidAmount(N_("{category}: a principal loss must be positive, not {loss}"), category=r.clause,
                            loss=fmt(loss))
    values["loss"] = loss
    keys = {k.name: k for k in r.keys}
    basis = Basis(values, {name: canonical_text(keys[name], v) for name, v in values.items()})
    calc = SplitCalculation(r, book, decided, basis, loss=loss)
    r.body(calc)
    public = sum(calc.shares.values(), Decimal("0.00"))
    bank = loss - public
    calc.step(Message(N_("bank {loss} − {public} = {bank} (the remainder)"), loss=fmt(loss), public=fmt(public),
                      bank=fmt(bank)))
    province, city = (calc.shares.get(p, Decimal("0.00")) for p in PUBLIC)
    outcome = Message(N_("{province_name} {province}, {city_name} {city}, bank {bank}"), province_name=PROVINCE,
                      province=fmt(province), city_name=CITY, city=fmt(city), bank=fmt(bank))
    return Split(
        clause=r.clause, loss=loss, province=province, city=city, bank=bank,
        province_rate=calc.rates.get(PROVINCE, Decimal(0)), city_rate=calc.rates.get(CITY, Decimal(0)),
        trace=[trace_line(r.clause, calc.steps, outcome)], versions=list(calc.versions), basis=dict(basis.raw),
    )
