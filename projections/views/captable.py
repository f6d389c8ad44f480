"""`captable show`: an enterprise's holders from the cap-table rows, at the moment `fund show`
and `report funds` use for the same options."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.messages import N_, Message
from domain.money import ZERO, fmt
from i18n import text
from projections.state import Rows, from_fen
from projections.tables import Col, terminal_width, text_table
from projections.views.moment import Moment


@dataclass(frozen=True)
class CapHolding:
    holder: str
    name: str
    units: Decimal
    share: Decimal  # 0–1, exact

    @property
    def percent(self) -> str:
        return f"{(self.share * 100).quantize(Decimal('0.01'))}%"


@dataclass(frozen=True)
class CapTableData:
    enterprise: str
    registered_capital: Decimal
    premium: Decimal
    holdings: list[CapHolding] = field(default_factory=list)

    def share_of(self, holder: str) -> Decimal:
        return next((h.share for h in self.holdings if h.holder == holder), Decimal(0))


def cap_table(rows: Rows, enterprise: str) -> CapTableData:
    """An enterprise's holders from the cap-table rows (largest first)."""
    units = {h: from_fen(r["units_fen"]) for (e, h), r in rows["rm_cap_holders"].items() if e == enterprise}
    names = {h: r["name"] for (e, h), r in rows["rm_cap_names"].items() if e == enterprise}
    premium = from_fen((rows["rm_cap_premiums"].get((enterprise,)) or {}).get("premium_fen") or 0)
    total = sum(units.values(), ZERO)
    holdings = [CapHolding(h, names.get(h, h), u, u / total if total else Decimal(0))
                for h, u in sorted(units.items(), key=lambda kv: (-kv[1], kv[0])) if u != 0]
    return CapTableData(enterprise, total, premium, holdings)


HOLDERS = (Col("holder"), Col("name"), Col("units", money=True, header=N_("registered capital")),
           Col("share", right=True, header=N_("stake")))


def cap_table_lines(table: CapTableData, moment: Moment) -> list[str]:
    """What `jcg captable show` prints: a heading, then the holders as one table."""
    heading = Message(N_("cap table of {enterprise} ({words}): registered capital {registered_capital} (premium "
                         "recorded separately: {premium})"), enterprise=table.enterprise, words=moment.words(),
                      registered_capital=fmt(table.registered_capital), premium=fmt(table.premium))
    if not table.holdings:
        return [text(heading)]
    rows = [[h.holder, h.name, h.units, h.percent] for h in table.holdings]
    return [text(heading), *text_table(HOLDERS, rows, rule=False, indent="  ", max_width=terminal_width()).splitlines()]
