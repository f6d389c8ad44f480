"""Reports over read-model rows, rendered as a table, CSV or JSON.

Built from rows in the in-memory shape, so the same report shows the current tables or a
state folded from the log as of a date or position. Amounts: right-aligned with thousands
separators in tables, exact decimal strings in CSV and JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.clauses import catalogue
from domain.errors import Refused
from domain.money import ZERO, fmt
from domain.parameters import ParameterBook, parameter_book
from projections.state import Rows, from_fen

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Column:
    name: str
    money: bool = False


@dataclass
class Report:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        i = [c.name for c in self.columns].index(name)
        return [r[i] for r in self.rows]


def clause_title(clause_id: str) -> str:
    c = catalogue().get(clause_id)
    return c.title if c else ""


def _money(fen: int | None) -> Decimal:
    return from_fen(fen or 0)


def balances(rows: Rows) -> Report:
    """Trial balance: every account's debit or credit balance; the two totals are equal."""
    out: list[list[Any]] = []
    debit = credit = ZERO
    for (account,), r in sorted(rows["rm_balances"].items()):
        amount = _money(r["balance_fen"])
        if amount == 0:
            continue
        d, c = (amount, ZERO) if amount > 0 else (ZERO, -amount)
        debit, credit = debit + d, credit + c
        out.append([account, d, c])
    out.append(["total", debit, credit])
    note = "trial balance sums to zero" if debit == credit else f"OUT OF BALANCE by {fmt(debit - credit)}"
    return Report("account balances (double-entry journal)",
                  [Column("account"), Column("debit", True), Column("credit", True)], out, [note])


def recipients(rows: Rows) -> Report:
    out: list[list[Any]] = []
    for (party, clause, year), r in sorted(rows["rm_recipients"].items()):
        awarded, paid, back = _money(r["awarded_fen"]), _money(r["disbursed_fen"]), _money(r["clawed_back_fen"])
        out.append([party, clause, clause_title(clause), year, awarded, paid, back, awarded - paid])
    return Report("awards per recipient, clause and award year",
                  [Column("recipient"), Column("clause"), Column("title"), Column("year"),
                   Column("awarded", True), Column("disbursed", True), Column("clawed_back", True),
                   Column("outstanding", True)], out,
                  ["outstanding = awarded − disbursed; payments and clawbacks count in the award's year"])


def _annual_cap(book: ParameterBook, clause: str, year: int) -> Decimal | None:
    if not book.has(clause, "annual_cap"):
        return None
    try:
        p = book.at(clause, "annual_cap", date(year, 12, 31))
    except Refused:
        return None
    return Decimal(p.value) if p.unit == "yuan" else None


def caps(rows: Rows, book: ParameterBook | None = None) -> Report:
    book = book or parameter_book()
    out: list[list[Any]] = []
    for (clause, party, year), r in sorted(rows["rm_cap_usage"].items()):
        used = _money(r["used_fen"])
        cap = _annual_cap(book, clause, year)
        out.append([clause, clause_title(clause), party, year, r["awards"], used,
                    "" if cap is None else cap, "" if cap is None else cap - used])
    return Report("cap usage per clause, recipient and year",
                  [Column("clause"), Column("title"), Column("recipient"), Column("year"), Column("awards"),
                   Column("used", True), Column("annual_cap", True), Column("remaining", True)], out,
                  ["used = awarded net of clawbacks; annual_cap is the per-recipient-per-year parameter in "
                   "force at year end (blank where the clause has none)"])


def budgets(rows: Rows, by: str = "source") -> Report:
    """Budget execution per fiscal year and funding source, or per responsible unit."""
    if by not in ("source", "unit", "clause"):
        raise Refused(f"budgets can be grouped by source, unit or clause, not {by!r}")
    totals: dict[tuple[Any, ...], list[Decimal]] = {}
    for (year, source, unit, clause), r in rows["rm_budgets"].items():
        key = (year, source) if by == "source" else (year, unit) if by == "unit" else (year, clause)
        t = totals.setdefault(key, [ZERO, ZERO, ZERO])
        t[0] += _money(r["committed_fen"])
        t[1] += _money(r["paid_fen"])
        t[2] += _money(r["recovered_fen"])
    out: list[list[Any]] = []
    for key, (committed, paid, recovered) in sorted(totals.items()):
        label = [key[1], clause_title(key[1])] if by == "clause" else [key[1]]
        out.append([key[0], *label, committed, paid, recovered, paid - recovered])
    heading = {"source": [Column("source")], "unit": [Column("unit")],
               "clause": [Column("clause"), Column("title")]}[by]
    notes = ["committed in the award's decision year; paid and recovered in the year decided"]
    if by == "unit":
        notes.append("each clause counts under its lead 责任单位 (first listed in the clause index)")
    return Report(f"budget execution per fiscal year and {by}",
                  [Column("year"), *heading, Column("committed", True), Column("paid", True),
                   Column("recovered", True), Column("net_spent", True)], out, notes)


def funds(rows: Rows) -> Report:
    """Per fund: capital and cash, then each holding with its cost, exits and realised gain."""
    holdings: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for key, r in sorted(rows["rm_fund_holdings"].items()):
        holdings.setdefault(key[0], []).append((key, r))
    out: list[list[Any]] = []
    for (fund,), f in sorted(rows["rm_funds"].items()):
        lots = holdings.get(fund, [])
        capital = _money(f["capital_fen"])
        invested = sum((_money(r["invested_fen"]) for _, r in lots), ZERO)
        proceeds = sum((_money(r["proceeds_fen"]) for _, r in lots), ZERO)
        out.append([fund, f["name"], "", capital, capital - invested + proceeds, "", "", "", ""])
        for (_, enterprise, kind), r in lots:
            out.append([fund, f"  {enterprise}", kind, "", "", _money(r["units_fen"]), _money(r["cost_fen"]),
                        _money(r["proceeds_fen"]), _money(r["gain_fen"])])
    return Report("funds: capital, cash, holdings and realised gains",
                  [Column("fund"), Column("name_or_enterprise"), Column("kind"), Column("capital", True),
                   Column("cash", True), Column("units_held", True), Column("cost_held", True),
                   Column("proceeds", True), Column("realised_gain", True)], out,
                  ["cash = capital − direct investments + exit proceeds; units are registered capital (1 unit = 1 yuan)"])


def trail(rows: Rows, entity: str) -> Report:
    """An entity's history (party, award, fund, loan, project code) in log order."""
    out: list[list[Any]] = []
    for (position,), r in sorted(rows["rm_trail"].items()):
        if entity not in (r["entity"], r["award"]):
            continue
        amount = "" if r["amount_fen"] is None else _money(r["amount_fen"])
        out.append([position, r["decided"], r["event"].split(".")[-1], r["award"], r["clause"], amount,
                    r["actor"], r["ref"], r["request_id"], r["recorded_at"], r["trace"]])
    if not out:
        raise Refused(f"no recorded events for {entity!r}")
    return Report(f"audit trail of {entity}",
                  [Column("position"), Column("decided"), Column("event"), Column("award"), Column("clause"),
                   Column("amount", True), Column("actor"), Column("ref"), Column("request_id"),
                   Column("recorded_at"), Column("trace")], out)


REPORTS: dict[str, Callable[..., Report]] = {
    "balances": balances, "recipients": recipients, "caps": caps, "budgets": budgets, "funds": funds,
}


# rendering --------------------------------------------------------------------------------

def _cell(value: Any, money: bool, exact: bool) -> str:
    if isinstance(value, Decimal):
        return str(value) if exact else fmt(value)
    return "" if value is None else str(value)


def display_width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def render(report: Report, form: str) -> str:
    if form == "json":
        return json.dumps({
            "report": report.title,
            "columns": [c.name for c in report.columns],
            "rows": [
                {c.name: (str(v) if isinstance(v, Decimal) else v) for c, v in zip(report.columns, row, strict=True)}
                for row in report.rows
            ],
            "notes": report.notes,
        }, ensure_ascii=False, indent=2)
    if form == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.name for c in report.columns])
        for row in report.rows:
            writer.writerow([_cell(v, c.money, True) for c, v in zip(report.columns, row, strict=True)])
        return buf.getvalue().rstrip("\n")
    if form != "table":
        raise Refused(f"unknown format {form!r} (one of {', '.join(FORMATS)})")
    multi = [c.name == "trace" for c in report.columns]
    header = [c.name for c in report.columns]
    cells = [[_cell(v, c.money, False) for c, v in zip(report.columns, row, strict=True)] for row in report.rows]
    widths = [
        max([display_width(h)] + [display_width(r[i]) for r in cells]) if not multi[i] else 0 for i, h in enumerate(header)
    ]
    right = [c.money or c.name in ("year", "awards", "position") for c in report.columns]

    def line(values: list[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            if multi[i]:
                continue
            pad = " " * (widths[i] - display_width(v))
            parts.append(pad + v if right[i] else v + pad)
        return "  ".join(parts).rstrip()

    lines = [report.title, line(header), line(["-" * w for w in widths])]
    for r in cells:
        lines.append(line(r))
        for i, v in enumerate(r):
            if multi[i]:
                lines.extend(f"    {t}" for t in v.splitlines())
    lines.extend(f"({n})" for n in report.notes)
    return "\n".join(lines)
