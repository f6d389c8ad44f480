"""Text for people, made over plain data: what `fund show` and `captable show` print.

Both are built from the same read-model rows `report funds` uses, taken at the same moment
by the same time-travel mechanism (projections.readside / runner.fold_at): so at any date or
position a fund's cash, holdings and stakes agree with its report and with the enterprises'
cap tables. Tables of many rows go through the one table renderer (projections.tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import NotFound
from domain.fund import FailureReport
from domain.messages import N_, Message
from domain.money import ZERO, fmt
from projections.state import Rows, from_fen


@dataclass(frozen=True)
class Moment:
    """Which moment a view speaks of (None, None: everything recorded) and the log position."""

    as_of: date | None
    at_position: int | None
    log_position: int

    def words(self) -> str:
        parts = [f"as of {self.as_of}" if self.as_of else "", f"after position {self.at_position}"
                 if self.at_position is not None else ""]
        said = ", ".join(p for p in parts if p) or "everything recorded"
        return f"{said}; log position {self.log_position}"


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
        raise NotFound(f"fund {code} is not registered at this moment")
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
        Message(N_("{code}  {name}  manager {value}  ({words})"), code=data.code, name=data.name, value=data.manager or '(none)', words=moment.words()),
        Message(N_("  capital {capital}; cash {cash}; realised gains {gains}, losses {losses}, net {realised}"), capital=fmt(data.capital), cash=fmt(data.cash), gains=fmt(data.gains), losses=fmt(data.losses), realised=fmt(data.realised)),
    ]
    if not data.holdings:
        lines.append(Message(N_("  no holdings")))
    for enterprise, kind, units, cost, share in data.holdings:
        if kind == "equity":
            lines.append(Message(N_("  holds {units} registered capital of {enterprise} ({quantize}%) at cost {cost}"), units=fmt(units), enterprise=enterprise, quantize=(share * 100).quantize(Decimal('0.01')), cost=fmt(cost)))
        else:
            lines.append(Message(N_("  holds debt of {enterprise}: principal outstanding {cost}"), enterprise=enterprise, cost=fmt(cost)))
    if data.failure is not None:
        lines.append("  " + data.failure.describe())
    return lines


def cap_table_lines(table: CapTableData, moment: Moment) -> list[str]:
    """What `jcg captable show` prints."""
    lines = [
        Message(N_("cap table of {enterprise} ({words}): registered capital {registered_capital} (premium recorded separately: {premium})"), enterprise=table.enterprise, words=moment.words(), registered_capital=fmt(table.registered_capital), premium=fmt(table.premium))
    ]
    for h in table.holdings:
        lines.append(f"  {h.holder:<16} {h.name[:20]:<20} {fmt(h.units):>18} {h.percent:>8}")
    return lines


def funds_list(rows: list[dict[str, Any]]) -> list[str]:
    """What `jcg fund list` prints: one line per registered fund (from the read model)."""
    from i18n import _

    return [_("{code:<16} capital {capital:>18}  {name}  (manager {value})").format(
        code=r["fund"], capital=fmt(from_fen(r["capital_fen"] or 0)), name=r["name"], value=r["manager"] or "-")
        for r in rows]


def loans_list(rows: Rows) -> list[str]:
    """What `jcg loan list` prints: one line per loan from the read model (one SQL query,
    not every loan loaded), the status as `report loans` tells it."""
    from projections.reports import loan_status

    out = []
    for (code,), loan in sorted(rows["rm_loans"].items()):
        totals = rows["rm_loan_totals"].get((code,), {})
        totals = {c: totals.get(c) or 0 for c in ("disbursed_fen", "repaid_fen", "loss_fen", "recovered_fen")}
        bearers = {b: r for (k, b), r in rows["rm_loan_bearers"].items() if k == code}
        loss = f"loss {fmt(from_fen(totals['loss_fen']))}" if loan["loss_declared_on"] else ""
        out.append(f"{code:<16} {loan['category']:<6} {loan['bank']:<12} {loan['borrower']:<12} "
                   f"{fmt(from_fen(loan['principal_fen'])):>16}  {loan_status(loan, totals, bearers):<15} {loss}"
                   .rstrip())
    return out
