"""`loan show` (a loan as ledger.queries.get_loan returns it) and `loan list` (the loans read
model, one SQL query, the status as `report loans` tells it)."""

from __future__ import annotations

from domain.compensation import CATEGORIES
from domain.loan import PAYERS, Loan
from domain.messages import N_, Message
from domain.money import fmt
from i18n import text
from projections.reports import loan_status
from projections.state import Rows, from_fen
from projections.tables import Col, terminal_width, text_table

SHARES = (Col("share", money=True), Col("paid", money=True), Col("owes", money=True), Col("returned", money=True),
          Col("bearer"))


def loan_lines(ln: Loan) -> list[str]:
    """What `jcg loan show` prints: the loan, its loss, the claim's split per bearer."""
    lines = [
        Message(N_("{code}  {category} {loan_categories}  bank {bank} → borrower {borrower}  [{status}]"),
                code=ln.code, category=ln.category, loan_categories=CATEGORIES[ln.category], bank=ln.bank,
                borrower=ln.borrower, status=Message(ln.status)),
        Message(N_("  principal {principal} from {start} for {term_months} months; disbursed {disbursed}, repaid "
                   "{repaid}, unrepaid {unrepaid}"), principal=fmt(ln.principal), start=ln.start,
                term_months=ln.term_months, disbursed=fmt(ln.disbursed), repaid=fmt(ln.repaid),
                unrepaid=fmt(ln.unrepaid)),
    ]
    if ln.non_performing_on:
        lines.append(Message(N_("  non-performing since {non_performing_on}"), non_performing_on=ln.non_performing_on))
    if ln.loss_declared_on:
        lines.append(Message(N_("  recovery exhausted {loss_declared_on}: principal loss {loss}"),
                             loss_declared_on=ln.loss_declared_on, loss=fmt(ln.loss)))
    claim = ln.claim
    if claim is None:
        return [text(line) for line in lines]
    approval = (Message(N_("approved {on} ({ref}) by {by}"), on=claim.approved_on, ref=claim.approved_ref,
                        by=claim.approved_by) if claim.approved_on else Message(N_("not approved yet")))
    lines.append(Message(N_("  claim {clause} on {claimed_on} filed by {claimed_by}, {approval}"), clause=claim.clause,
                         claimed_on=claim.claimed_on, claimed_by=claim.claimed_by, approval=approval))
    shown = [text(line) for line in lines]
    shown += ["    " + text(line) for line in claim.trace]
    rows = []
    for who in (*PAYERS, "bank"):
        name = text(Message(N_("bank {bank} (bears its share)"), bank=ln.bank)) if who == "bank" else who
        paid = ln.paid[who] if who in PAYERS else "-"
        owes = ln.owed(who) if who in PAYERS else "-"
        rows.append([claim.shares[who], paid, owes, ln.returned[who], name])
    shown += text_table(SHARES, rows, rule=False, indent="  ", max_width=terminal_width()).splitlines()
    shown.append(text(Message(N_("  recovered after compensation {recovered}; loss outstanding {value}"),
                              recovered=fmt(ln.recovered), value=fmt(claim.loss - ln.recovered))))
    return shown


LOANS = (Col("loan"), Col("category"), Col("bank"), Col("borrower"), Col("principal", money=True),
         Col("status", words=True), Col("loss", money=True))


def loans_list(rows: Rows) -> list[str]:
    """What `jcg loan list` prints: one row per loan from the read model (not every loan loaded)."""
    table = []
    for (code,), loan in sorted(rows["rm_loans"].items()):
        totals = rows["rm_loan_totals"].get((code,), {})
        totals = {c: totals.get(c) or 0 for c in ("disbursed_fen", "repaid_fen", "loss_fen", "recovered_fen")}
        bearers = {b: r for (k, b), r in rows["rm_loan_bearers"].items() if k == code}
        loss = from_fen(totals["loss_fen"]) if loan["loss_declared_on"] else None
        table.append([code, loan["category"], loan["bank"], loan["borrower"], from_fen(loan["principal_fen"]),
                      loan_status(loan, totals, bearers), loss])
    return text_table(LOANS, table, rule=False, max_width=terminal_width()).splitlines()
