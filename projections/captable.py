"""Cap tables (股东名册): registered capital per holder of each enterprise, premium, and the
holders' names, from the share registers' events. The same fold as the funds' holdings, so
`captable show`, `fund show` and `report funds` speak of the same moment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.events import event, name
from projections.schema import METADATA, Label, fen
from projections.state import State, to_fen

HOLDERS = sa.Table(
    "rm_cap_holders",
    METADATA,
    sa.Column("enterprise", Label, primary_key=True),
    sa.Column("holder", Label, primary_key=True),
    fen("units_fen"),
    info={"sums": True},
)

PREMIUMS = sa.Table(
    "rm_cap_premiums",
    METADATA,
    sa.Column("enterprise", Label, primary_key=True),
    fen("premium_fen"),
    info={"sums": True},
)

NAMES = sa.Table(
    "rm_cap_names",
    METADATA,
    sa.Column("enterprise", Label, primary_key=True),
    sa.Column("holder", Label, primary_key=True),
    sa.Column("name", Label),
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
