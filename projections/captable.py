"""Cap tables (股东名册): registered capital per holder of each enterprise, premium, and the
holders' names, from the share registers' events. The same fold as the funds' holdings, so
`captable show`, `fund show` and `report funds` speak of the same moment."""

from __future__ import annotations

from typing import Any

from projections.events import event, name
from projections.layout import TEXT, Column, Table, fen, key
from projections.state import State, to_fen

HOLDERS = Table(
    "rm_cap_holders",
    key("enterprise"),
    key("holder"),
    fen("units_fen"),
    info={"sums": True},
)

PREMIUMS = Table(
    "rm_cap_premiums",
    key("enterprise"),
    fen("premium_fen"),
    info={"sums": True},
)

NAMES = Table(
    "rm_cap_names",
    key("enterprise"),
    key("holder"),
    Column("name", TEXT),
)

TABLES = (HOLDERS, PREMIUMS, NAMES)

Issued = event("ShareRegister.Issued")
Transferred = event("ShareRegister.Transferred")
Repurchased = event("ShareRegister.Repurchased")


def _name(state: State, enterprise: str, holder: str, name: str) -> None:
    """The first name a holder was recorded under (as the register keeps it)."""
    if state.get(NAMES, (enterprise, holder)) is None:
        state.put(NAMES, (enterprise, holder), name=name or holder)


def apply(state: State, position: int, event: Any) -> None:
    kind = name(event)
    if kind == Issued:
        _name(state, event.enterprise, event.holder, event.name)
        state.add(HOLDERS, (event.enterprise, event.holder), units_fen=to_fen(event.units))
        state.add(PREMIUMS, (event.enterprise,), premium_fen=to_fen(event.premium))
    elif kind == Transferred:
        _name(state, event.enterprise, event.buyer, event.buyer_name)
        state.add(HOLDERS, (event.enterprise, event.seller), units_fen=-to_fen(event.units))
        state.add(HOLDERS, (event.enterprise, event.buyer), units_fen=to_fen(event.units))
    elif kind == Repurchased:
        state.add(HOLDERS, (event.enterprise, event.holder), units_fen=-to_fen(event.units))
