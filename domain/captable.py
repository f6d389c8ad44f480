"""An enterprise's register of holders (股东名册) and its cap table at any date.

Chinese limited companies have registered capital, not shares: one unit is one yuan of
registered capital, and what an investor pays above it is premium (资本公积), recorded
separately. The register keeps the dated equity transactions (issuance, transfer,
repurchase); :func:`cap_table` is a pure function over them, so a table at any past date is
the same computation as today's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAmount, InvalidDate, Refused
from domain.ids import NAMESPACE
from domain.messages import N_
from domain.money import ZERO, fmt, yuan
from domain.provenance import Provenance


def share_register_id(enterprise: str) -> UUID:
    return uuid5(NAMESPACE, f"captable:{enterprise}")


@dataclass(frozen=True)
class EquityEntry:
    """One dated equity transaction. ``kind`` is issuance, transfer or repurchase."""

    kind: str
    on: date
    units: Decimal
    holder: str = ""  # who receives (issuance, transfer) or gives up (repurchase)
    seller: str = ""  # who gives up units in a transfer
    premium: Decimal = ZERO  # paid above registered capital (issuance)
    price: Decimal = ZERO  # consideration paid (transfer, repurchase) or paid in (issuance)
    source: str = ""  # e.g. "founding", "conversion of project P-1", "buyback of project P-1"
    ref: str = ""


@dataclass(frozen=True)
class Holding:
    holder: str
    name: str
    units: Decimal
    share: Decimal  # fraction of registered capital (0–1), exact

    @property
    def percent(self) -> str:
        return f"{(self.share * 100).quantize(Decimal('0.01'))}%"


@dataclass(frozen=True)
class CapTable:
    enterprise: str
    as_of: date
    registered_capital: Decimal
    premium: Decimal
    holdings: list[Holding] = field(default_factory=list)

    def units_of(self, holder: str) -> Decimal:
        return next((h.units for h in self.holdings if h.holder == holder), ZERO)

    def share_of(self, holder: str) -> Decimal:
        return next((h.share for h in self.holdings if h.holder == holder), Decimal(0))


def cap_table(
    enterprise: str, entries: Iterable[EquityEntry], as_of: date, names: dict[str, str] | None = None
) -> CapTable:
    """Holders, registered capital and percentages on ``as_of`` (entries dated after it ignored)."""
    units: dict[str, Decimal] = {}
    premium = ZERO
    for e in sorted((e for e in entries if e.on <= as_of), key=lambda e: e.on):
        if e.kind == "issuance":
            units[e.holder] = units.get(e.holder, ZERO) + e.units
            premium += e.premium
        elif e.kind == "transfer":
            units[e.seller] = units.get(e.seller, ZERO) - e.units
            units[e.holder] = units.get(e.holder, ZERO) + e.units
        elif e.kind == "repurchase":
            units[e.holder] = units.get(e.holder, ZERO) - e.units
    total = sum(units.values(), ZERO)
    names = names or {}
    holdings = [
        Holding(h, names.get(h, h), u, u / total if total else Decimal(0))
        for h, u in sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))
        if u != 0
    ]
    return CapTable(enterprise, as_of, total, premium, holdings)


class ShareRegister(Aggregate):
    """The equity transactions of one enterprise, recorded in date order."""

    @staticmethod
    def create_id(enterprise: str) -> UUID:
        return share_register_id(enterprise)

    @classmethod
    def open(cls, by: Provenance, enterprise: str) -> ShareRegister:
        return cls(by=by, enterprise=enterprise)

    class Opened(Aggregate.Created):
        by: Provenance
        enterprise: str

    @event(Opened)
    def __init__(self, by: Provenance, enterprise: str) -> None:
        self.enterprise = enterprise
        self.entries: list[EquityEntry] = []
        self.names: dict[str, str] = {}

    # views -----------------------------------------------------------------------------
    def table(self, as_of: date) -> CapTable:
        return cap_table(self.enterprise, self.entries, as_of, self.names)

    def latest(self) -> date | None:
        return max((e.on for e in self.entries), default=None)

    def _in_order(self, on: date) -> None:
        """Refuse a back-dated transaction: it would change every stake recorded after it.

        G.1 lets a decision be recorded after its date, but stakes already computed (and the
        conversions, buybacks and caps checked on them) would silently change; the register stays in
        date order and a mistake is corrected by a compensating transaction (docs/decisions.md)."""
        last = self.latest()
        if last is not None and on < last:
            raise InvalidDate(
                N_("{enterprise}: an equity transaction dated {on} cannot be recorded after one dated {last}: it would change every stake recorded since; record transactions in date order (this one before the later ones), or correct the register by a compensating transaction dated {last} or later"), enterprise=self.enterprise, on=on, last=last
            )

    # commands --------------------------------------------------------------------------
    def issue(
        self, by: Provenance, holder: str, name: str, units: Decimal, premium: Decimal, source: str
    ) -> None:
        """New registered capital to ``holder`` (founders' capital, or a conversion)."""
        units, premium = yuan(units), yuan(premium)
        if not holder.strip():
            raise Refused(N_("a holder needs a code"))
        if units <= 0:
            raise InvalidAmount(N_("{enterprise}: registered capital issued must be positive"), enterprise=self.enterprise)
        if premium < 0:
            raise InvalidAmount(N_("{enterprise}: premium must not be negative"), enterprise=self.enterprise)
        self._in_order(by.decided)
        self._issued(by, self.enterprise, holder, name or holder, units, premium, source)

    class Issued(Aggregate.Event):
        by: Provenance
        enterprise: str
        holder: str
        name: str
        units: Decimal
        premium: Decimal
        source: str

    @event(Issued)
    def _issued(
        self, by: Provenance, enterprise: str, holder: str, name: str, units: Decimal, premium: Decimal, source: str
    ) -> None:
        self.names.setdefault(holder, name)
        self.entries.append(
            EquityEntry("issuance", by.decided, units, holder=holder, premium=premium,
                        price=units + premium, source=source, ref=by.ref)
        )

    def transfer(
        self, by: Provenance, seller: str, buyer: str, buyer_name: str, units: Decimal, price: Decimal, source: str
    ) -> None:
        """Units move from ``seller`` to ``buyer`` at ``price`` (a buyback or a sale)."""
        units, price = yuan(units), yuan(price)
        if units <= 0:
            raise InvalidAmount(N_("{enterprise}: units transferred must be positive"), enterprise=self.enterprise)
        if seller == buyer:
            raise Refused(N_("{enterprise}: a holder cannot transfer to itself"), enterprise=self.enterprise)
        self._in_order(by.decided)
        held = self.table(by.decided).units_of(seller)
        if units > held:
            raise Refused(
                N_("{enterprise}: {seller} holds {held} of registered capital, cannot transfer {units}"), enterprise=self.enterprise, seller=seller, held=fmt(held), units=fmt(units)
            )
        self._transferred(by, self.enterprise, seller, buyer, buyer_name or buyer, units, price, source)

    class Transferred(Aggregate.Event):
        by: Provenance
        enterprise: str
        seller: str
        buyer: str
        buyer_name: str
        units: Decimal
        price: Decimal
        source: str

    @event(Transferred)
    def _transferred(
        self, by: Provenance, enterprise: str, seller: str, buyer: str, buyer_name: str, units: Decimal,
        price: Decimal, source: str,
    ) -> None:
        self.names.setdefault(buyer, buyer_name)
        self.entries.append(
            EquityEntry("transfer", by.decided, units, holder=buyer, seller=seller, price=price,
                        source=source, ref=by.ref)
        )

    def repurchase(self, by: Provenance, holder: str, units: Decimal, price: Decimal, source: str) -> None:
        """The company itself buys back and cancels ``units`` (a capital reduction, 减资)."""
        units, price = yuan(units), yuan(price)
        if units <= 0:
            raise InvalidAmount(N_("{enterprise}: units repurchased must be positive"), enterprise=self.enterprise)
        self._in_order(by.decided)
        held = self.table(by.decided).units_of(holder)
        if units > held:
            raise Refused(
                N_("{enterprise}: {holder} holds {held} of registered capital, cannot repurchase {units}"), enterprise=self.enterprise, holder=holder, held=fmt(held), units=fmt(units)
            )
        self._repurchased(by, self.enterprise, holder, units, price, source)

    class Repurchased(Aggregate.Event):
        by: Provenance
        enterprise: str
        holder: str
        units: Decimal
        price: Decimal
        source: str

    @event(Repurchased)
    def _repurchased(
        self, by: Provenance, enterprise: str, holder: str, units: Decimal, price: Decimal, source: str
    ) -> None:
        self.entries.append(
            EquityEntry("repurchase", by.decided, units, holder=holder, price=price, source=source, ref=by.ref)
        )
