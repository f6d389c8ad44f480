"""`fund show` and `fund list`: a fund's figures from the same read-model rows `report funds`
uses, taken at the same moment by the same time-travel mechanism (projections.readside /
runner.fold_at): at any date or position a fund's cash, holdings and stakes agree with its
report and with the enterprises' cap tables."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.errors import NotFound
from domain.fund import FailureReport
from domain.messages import N_, Message
from domain.money import ZERO, fmt
from i18n import text
from projections.state import Rows, from_fen
from projections.tables import Col, terminal_width, text_table
from projections.views.captable import cap_table
from projections.views.moment import Moment


@dataclass(frozen=True)
class FundData:
    code: str
    name: str
    manager: str
    capital: Decimal
    cash: Decimal
    gains: Decimal
    losses: Decimal
    holdings: list[tuple[str, str, Decimal, Decimal, Decimal]]  # enterprise, kind, units, cost, share
    failure: FailureReport | None

    @property
    def realised(self) -> Decimal:
        return self.gains - self.losses


def fund(rows: Rows, code: str, tolerance: Decimal) -> FundData:
    """A fund's figures from the same rows as `report funds` (cash = capital − direct
    investments + exit proceeds), with each equity stake read from the cap-table rows."""
    record = rows["rm_funds"].get((code,))
    if record is None:
        raise NotFound(N_("fund {code} is not registered at this moment"), code=code)
    lots = [(k, r) for k, r in sorted(rows["rm_fund_holdings"].items()) if k[0] == code]
    money = {c: sum((from_fen(r.get(c) or 0) for _, r in lots), ZERO)
             for c in ("invested_fen", "proceeds_fen", "gain_fen", "loss_fen")}
    capital = from_fen(record["capital_fen"] or 0)
    held = []
    for (_, enterprise, kind), r in lots:
        units, cost = from_fen(r["units_fen"]), from_fen(r["cost_fen"])
        if units == 0 and cost == 0:
            continue
        share = cap_table(rows, enterprise).share_of(code) if kind == "equity" else Decimal(0)
        held.append((enterprise, kind, units, cost, share))
    followed = [r for (f, _), r in rows.get("rm_fund_projects", {}).items() if f == code]
    early = [p for p in followed if p["early_stage"]]
    failure = FailureReport(sum(1 for p in early if p["failed_on"]), len(early), tolerance) if followed else None
    losses = money["loss_fen"]
    return FundData(code, record["name"] or "", record["manager"] or "", capital,
                    capital - money["invested_fen"] + money["proceeds_fen"], money["gain_fen"] + losses, losses,
                    held, failure)


def fund_lines(data: FundData, moment: Moment) -> list[str]:
    """What `jcg fund show` prints."""
    lines = [
        Message(N_("{code}  {name}  manager {value}  ({words})"), code=data.code, name=data.name,
                value=data.manager or Message(N_("(none)")), words=moment.words()),
        Message(N_("  capital {capital}; cash {cash}; realised gains {gains}, losses {losses}, net {realised}"),
                capital=fmt(data.capital), cash=fmt(data.cash), gains=fmt(data.gains), losses=fmt(data.losses),
                realised=fmt(data.realised)),
    ]
    if not data.holdings:
        lines.append(Message(N_("  no holdings")))
    for enterprise, kind, units, cost, share in data.holdings:
        if kind == "equity":
            lines.append(Message(N_("  holds {units} registered capital of {enterprise} ({quantize}%) at cost {cost}"),
                                 units=fmt(units), enterprise=enterprise,
                                 quantize=(share * 100).quantize(Decimal('0.01')), cost=fmt(cost)))
        else:
            lines.append(Message(N_("  holds debt of {enterprise}: principal outstanding {cost}"),
                                 enterprise=enterprise, cost=fmt(cost)))
    shown = [text(line) for line in lines]
    if data.failure is not None:
        shown.append("  " + text(data.failure.describe()))
    return shown


FUNDS = (Col("code"), Col("name"), Col("manager", header=N_("fund manager")), Col("capital", money=True))


def funds_list(rows: list[dict[str, Any]]) -> list[str]:
    """What `jcg fund list` prints: one row per registered fund (from the read model)."""
    table = [[r["fund"], r["name"], r["manager"] or "-", from_fen(r["capital_fen"] or 0)] for r in rows]
    return text_table(FUNDS, table, rule=False, max_width=terminal_width()).splitlines()
