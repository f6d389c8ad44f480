"""The journal's trial balance as a table (the demo's last section): every account's balance,
then their sum, which is always zero."""

from __future__ import annotations

from decimal import Decimal

from domain.messages import N_
from i18n import gettext
from projections.tables import Col, text_table

BALANCES = (Col("account"), Col("balance", money=True, header=N_("balance")))


def balance_lines(totals: dict[str, Decimal]) -> list[str]:
    rows: list[list[object]] = [[account, totals[account]] for account in sorted(totals)]
    rows.append([gettext(N_("sum of all postings")), sum(totals.values(), Decimal("0.00"))])
    return text_table(BALANCES, rows, rule=False, indent="  ").splitlines()
