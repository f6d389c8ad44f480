"""What a bureau narrows a report to, and which column of which read-model table each filter
narrows. Apart from projections.readside (which imports SQLAlchemy) so that a current report
read straight through the database driver (projections.current) narrows by the same table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import Refused
from domain.messages import N_
from projections import models


@dataclass(frozen=True)
class Filters:
    """What a bureau narrows a report to. ``start``/``end``: decision dates; amounts then
    count what was decided between them (records such as names and statuses: as of ``end``)."""

    recipient: str | None = None
    clause: str | None = None
    year: int | None = None
    source: str | None = None
    start: date | None = None
    end: date | None = None

    def named(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and k not in ("start", "end")}


# filter -> table -> column it narrows
FILTER_COLUMNS: dict[str, dict[str, str]] = {
    "recipient": {"rm_recipients": "party", "rm_cap_usage": "party", "rm_cap_awards": "party",
                  "rm_loans": "borrower", "rm_fund_holdings": "enterprise", "rm_fund_projects": "enterprise"},
    "clause": {"rm_recipients": "clause", "rm_cap_usage": "clause", "rm_cap_awards": "clause",
               "rm_budgets": "clause", "rm_loans": "category"},
    "year": {"rm_recipients": "year", "rm_cap_usage": "year", "rm_cap_awards": "year", "rm_budgets": "year"},
    "source": {"rm_budgets": "source"},
}

# tables whose rows a filtered-out row of another table takes along (loans: by loan code)
FOLLOWS = {"rm_loan_totals": ("rm_loans", "loan"), "rm_loan_bearers": ("rm_loans", "loan")}


def check(report: str, filters: Filters) -> None:
    """Refuse a filter none of the report's tables has a column for."""
    names = {t.name for t in models.report_tables(report)}
    for name in filters.named():
        if not names & set(FILTER_COLUMNS[name]):
            from domain.aliases import REPORT_NAMES

            label = next((word for word, code in REPORT_NAMES.items() if code == report), report)
            raise Refused(N_("report {report} cannot be narrowed by --{name}"), report=report, name=name,
                          report_label=label)
