"""Reports over read-model rows, rendered as a table, CSV or JSON.

Built from rows in the in-memory shape, so the same report shows the current tables or a
state folded from the log as of a date or position. Amounts: right-aligned with thousands
separators in tables, exact decimal strings in CSV and JSON.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.clauses import catalogue
from domain.compensation import BANK
from domain.errors import Refused
from domain.messages import N_, Message
from domain.money import ZERO, fmt
from domain.parameters import ParameterBook, parameter_book
from projections import tables
from projections.state import TOTALS, Rows, from_fen
from projections.trail import Detail

FORMATS = ("table", "csv", "json", "xlsx")
RIGHT_ALIGNED = frozenset({"year", "awards", "position"})
WORD_COLUMNS = frozenset({"status", "cap", "scope", "unit", "record", "kind", "account", "bearer", "recipient", "event"})


@dataclass(frozen=True)
class Column:
    name: str
    money: bool = False


@dataclass(frozen=True)
class BuiltAt:
    """What a report describes: the point in history asked for (None: current) and the log
    position its data was built at (JSON says so; a saved file is otherwise undated)."""

    as_of: date | None
    at_position: int | None
    log_position: int


@dataclass
class Report:
    """A report's data: ``rows`` are records only (fixed columns, exact values; what CSV and
    JSON carry). ``totals`` are shown under the table and in JSON's own "totals" key, never
    among the rows; ``display`` is the person-facing layout where it differs from the data."""

    title: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    totals: list[list[Any]] = field(default_factory=list)
    display: Report | None = None
    built: BuiltAt | None = None

    def column(self, name: str) -> list[Any]:
        i = [c.name for c in self.columns].index(name)
        return [r[i] for r in self.rows]


@functools.cache
def _titles() -> dict[str, str]:
    return {c.id: c.title for c in catalogue().values() if c.title}


def clause_title(clause_id: str) -> str:
    return _titles().get(clause_id, "")


def account_title(account: str) -> str:
    """The Chinese title of the clause an account names (budget:P2.4:2025 → P2.4's), else ""."""
    titles = _titles()
    parts = account.split(":")
    if titles.keys().isdisjoint(parts):
        return ""  # most accounts (payables, cash) name no clause
    for part in parts:
        title = titles.get(part)
        if title:
            return title
    return ""


def _money(fen: int | None) -> Decimal:
    return from_fen(fen or 0)


def balances(rows: Rows) -> Report:
    """Trial balance: every account's debit or credit balance; the two totals are equal."""
    out: list[list[Any]] = []
    zero = ZERO
    debit_fen = credit_fen = 0
    for (account,), r in sorted(rows["rm_balances"].items()):
        fen = r["balance_fen"]
        if not fen:
            continue
        if fen > 0:
            debit_fen += fen
            out.append([account, account_title(account), from_fen(fen), zero])
        else:
            credit_fen -= fen
            out.append([account, account_title(account), zero, from_fen(-fen)])
    summed = rows.get(TOTALS, {}).get(("rm_balances",))
    if summed is not None:  # the database's sums (current, or as of a date)
        debit_fen, credit_fen = summed["debit_fen"], summed["credit_fen"]
    debit, credit = from_fen(debit_fen), from_fen(credit_fen)
    note = N_("trial balance sums to zero") if debit == credit else Message(N_("OUT OF BALANCE by {value}"), value=fmt(debit - credit))
    return Report(N_("account balances (double-entry journal)"),
                  [Column("account"), Column("title"), Column("debit", True), Column("credit", True)], out,
                  [note, N_("title: the clause an account names (budget, capitalised, … accounts)")],
                  totals=[["total", "", debit, credit]])


def recipients(rows: Rows) -> Report:
    """Grants and 拨投结合 projects (P2.2/P6.1) per recipient, clause and award year, with the
    P6.1 reassignments (+ received, − handed on); the columns never depend on the data."""
    out: list[list[Any]] = []
    for (party, clause, year), r in sorted(rows["rm_recipients"].items()):
        awarded, paid, back = _money(r["awarded_fen"]), _money(r["disbursed_fen"]), _money(r["clawed_back_fen"])
        moved, released = _money(r.get("reassigned_fen")), _money(r.get("released_fen"))
        out.append([party, clause, clause_title(clause), year, awarded, paid, back, moved, released,
                    awarded - paid - released])
    notes = [N_("outstanding = awarded − disbursed − released; payments and clawbacks count in the award's year"),
             N_("released: a failed or finished 拨投结合 project's grant never paid, a cancelled commitment"),
             N_("拨投结合 projects count as awards to their enterprise: grant on approval, tranches as disbursements"),
             N_("reassigned (P6.1): unspent money received (+) or handed on to another project (−); a transfer, not new spending")]
    return Report(N_("awards per recipient, clause and award year"),
                  [Column("recipient"), Column("clause"), Column("title"), Column("year"),
                   Column("awarded", True), Column("disbursed", True), Column("clawed_back", True),
                   Column("reassigned", True), Column("released", True), Column("outstanding", True)], out,
                  notes)


# The caps the rules apply, by parameter name (domain/rules: cap_per_year, cap_per_award,
# cap_over, count_per_year; officer_amount's <station>_cap for P4.1b).
PER_YEAR, PER_AWARD, PERIOD, PER_SUBJECT, PLACES = "annual_cap", "award_cap", "period_cap", "project_cap", "per_year"
CAP_LABELS = {PER_YEAR: "per year", PER_AWARD: "per award", PERIOD: "over the period",
              PER_SUBJECT: "per project", PLACES: "places per year"}


def one_time(clause: str) -> bool:
    """一次性 clauses (the rule's ``once``): one award per matter, never topped up (G.3 does
    not apply), so a used one-time cap has nothing remaining."""
    from domain.rules import RULES

    rule = RULES.get(clause)
    return bool(rule and rule.once)


def _limit(book: ParameterBook, clause: str, name: str, year: int) -> Any:
    """The parameter in force at the end of ``year`` (None where the clause has none then)."""
    if not book.has(clause, name):
        return None
    try:
        p = book.at(clause, name, date(year, 12, 31))
    except Refused:
        return None
    if p.unit == "yuan":
        return Decimal(p.value)
    return int(p.value) if p.unit == "count" else None


def caps(rows: Rows, book: ParameterBook | None = None) -> Report:
    """Every cap the rules have, per clause and recipient, with used and remaining: per year
    (P2.4 …), per award (one-time, P2.3b/P5.3/P6.3a; P4.1b per workstation kind), over the
    construction period (P3.2b), per project (P6.2) and the places of a year (P4.2b)."""
    book = book or parameter_book()
    out: list[list[Any]] = []

    def row(clause: str, party: str, kind: str, scope: Any, awards: int, used: Any, limit: Any) -> None:
        unit = "places" if kind == PLACES else "yuan"
        label = CAP_LABELS.get(kind, kind.replace("_", " "))
        remaining = None if limit is None else limit - used
        if kind not in (PER_YEAR, PERIOD, PLACES, PER_SUBJECT) and one_time(clause):
            if used > 0:  # 一次性: paid once, no G.3 top-up, so nothing remains to be awarded
                label, remaining = f"{label} (one-time: used)", ZERO
            else:  # fully clawed back: the matter may be awarded again
                label = f"{label} (one-time)"
        out.append([clause, clause_title(clause), party, label, scope, awards, used, unit, limit, remaining])

    usage = sorted(rows["rm_cap_usage"].items())
    per_award = sorted(rows.get("rm_cap_awards", {}).items())
    for (clause, party, year), r in usage:
        limit = _limit(book, clause, PER_YEAR, year)
        if limit is not None or not any(book.has(clause, k) for k in (PER_AWARD, PERIOD, PER_SUBJECT, PLACES)):
            row(clause, party, PER_YEAR, year, r["awards"], _money(r["used_fen"]), limit)
    period: dict[tuple[str, str], tuple[int, int, int]] = {}
    for (clause, party, year), r in usage:
        if book.has(clause, PERIOD):
            used, awards, last = period.get((clause, party), (0, 0, year))
            period[(clause, party)] = (used + r["used_fen"], awards + r["awards"], max(last, year))
    for (clause, party), (used_fen, awards, last) in sorted(period.items()):
        row(clause, party, PERIOD, "all years", awards, _money(used_fen), _limit(book, clause, PERIOD, last))
    subjects: dict[tuple[str, str, str], tuple[int, int, int]] = {}
    places: dict[tuple[str, int], int] = {}
    for (clause, party, year, subject, award_id), r in per_award:
        used = _money(r["used_fen"])
        one_off = PER_AWARD if book.has(clause, PER_AWARD) else f"{subject}_cap" if subject else ""
        if one_off and book.has(clause, one_off):
            row(clause, party, one_off, award_id, 1, used, _limit(book, clause, one_off, year))
        if book.has(clause, PER_SUBJECT):
            total, count, last = subjects.get((clause, party, subject), (0, 0, year))
            subjects[(clause, party, subject)] = (total + r["used_fen"], count + 1, max(last, year))
        if book.has(clause, PLACES):
            places[(clause, year)] = places.get((clause, year), 0) + (1 if r["used_fen"] > 0 else 0)
    for (clause, party, subject), (used_fen, count, last) in sorted(subjects.items()):
        row(clause, party, PER_SUBJECT, subject, count, _money(used_fen), _limit(book, clause, PER_SUBJECT, last))
    for (clause, year), taken in sorted(places.items()):
        row(clause, "(all recipients)", PLACES, year, taken, taken, _limit(book, clause, PLACES, year))
    out.sort(key=lambda r: (r[0], r[2], r[3], str(r[4])))
    return Report(N_("cap usage per clause, recipient and cap, against the parameters in force"),
                  [Column("clause"), Column("title"), Column("recipient"), Column("cap"), Column("scope"),
                   Column("awards"), Column("used", True), Column("unit"), Column("limit", True),
                   Column("remaining", True)], out,
                  [N_("used = awarded net of clawbacks (places: awards not fully clawed back); limit: the cap parameter in force at the end of the year (blank where the clause has no cap)"),
                   N_("per award: each award against its cap (one-time clauses, 一次性: a used award has nothing remaining, it cannot be topped up); over the period: every year of the clause together (P3.2b); per project: P6.2 awards for the same project; places per year: recipients of the clause that year (P4.2b)")])


def budgets(rows: Rows, by: str = "source") -> Report:
    """Budget execution per fiscal year and funding source, responsible unit or clause, with
    P6.1 reassignments between project lines in their own column (not spending)."""
    if by not in ("source", "unit", "clause"):
        raise Refused(N_("budgets can be grouped by source, unit or clause, not {by!r}"), by=by)
    totals: dict[tuple[Any, ...], list[Decimal]] = {}
    for (year, source, unit, clause), r in rows["rm_budgets"].items():
        key = (year, source) if by == "source" else (year, unit) if by == "unit" else (year, clause)
        t = totals.setdefault(key, [ZERO, ZERO, ZERO, ZERO, ZERO, ZERO])
        t[0] += _money(r["committed_fen"])
        t[1] += _money(r.get("released_fen"))
        t[2] += _money(r.get("pending_fen"))
        t[3] += _money(r["paid_fen"])
        t[4] += _money(r["recovered_fen"])
        t[5] += _money(r.get("reassigned_fen"))
    out: list[list[Any]] = []
    for key, (committed, released, pending, paid, recovered, moved) in sorted(totals.items()):
        label = [key[1], clause_title(key[1])] if by == "clause" else [key[1]]
        out.append([key[0], *label, committed, released, pending, paid, recovered, moved, paid - recovered])
    heading = {"source": [Column("source")], "unit": [Column("unit")],
               "clause": [Column("clause"), Column("title")]}[by]
    notes = [N_("committed in the decision year (award, project approval, P5.6 compensation approval); paid and recovered in the year decided (P5.6 recoveries: the part returned to each payer)"),
             N_("released: commitment cancelled in the year decided (a failed or finished 拨投结合 project's grant never paid)"),
             N_("reassigned (P6.1): moved between project lines (+ in, − out), not new spending"),
             N_("pending: payment orders recorded and not yet posted by a second person (待审核), in the order's "
                "year: committed, not paid; a voided award's unpaid part leaves committed in the award's year")]
    if by == "unit":
        notes.append(N_("each clause counts under the 责任单位 that books it (`jcg policy show CLAUSE`: paying_unit; 市财政局 for P5.5, whose text says 市财政 pays)"))
    return Report(Message(N_("budget execution per fiscal year and {by}"), by=Message(by)),
                  [Column("year"), *heading, Column("committed", True), Column("released", True),
                   Column("pending", True), Column("paid", True),
                   Column("recovered", True), Column("reassigned", True), Column("net_spent", True)], out, notes)


def funds(rows: Rows, on: date | None = None, book: ParameterBook | None = None) -> Report:
    """Per fund: capital, cash and totals, then each holding per enterprise with its cost,
    exits and realised gain or loss, then the P5.8 failure ratio of its early-stage projects
    (flagged above the tolerance in force on ``on``, default today; never blocking).

    The data has one row per record (``record``: fund or holding) with fixed columns; the
    P5.8 counts sit on the fund's row. The table shows holdings indented under their fund
    and the P5.8 ratio in words."""
    from domain.fund import (  # here: the aggregate's event classes cost other reports ~25 ms
        FailureReport,
        failure_tolerance,
    )

    book = book or parameter_book()
    tolerance = failure_tolerance(book, on or date.today())
    holdings: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for key, r in sorted(rows["rm_fund_holdings"].items()):
        holdings.setdefault(key[0], []).append((key, r))
    projects: dict[str, list[dict[str, Any]]] = {}
    for (fund, _), r in sorted(rows.get("rm_fund_projects", {}).items()):
        projects.setdefault(fund, []).append(r)
    data: list[list[Any]] = []
    shown: list[list[Any]] = []
    notes: list[str] = []
    for (fund,), f in sorted(rows["rm_funds"].items()):
        lots = holdings.get(fund, [])
        total = {c: sum((_money(r.get(c)) for _, r in lots), ZERO)
                 for c in ("invested_fen", "proceeds_fen", "cost_fen", "gain_fen", "loss_fen")}
        capital = _money(f["capital_fen"])
        cash = capital - total["invested_fen"] + total["proceeds_fen"]
        followed = projects.get(fund, [])
        early = [p for p in followed if p["early_stage"]]
        failure = FailureReport(sum(1 for p in early if p["failed_on"]), len(early), tolerance) if followed else None
        p58 = [None, None, None, None] if failure is None else [failure.total, failure.failed, tolerance,
                                                                failure.flagged]
        data.append([fund, "fund", f["name"], None, None, capital, cash, None, total["cost_fen"],
                     total["proceeds_fen"], total["gain_fen"], *p58])
        shown.append([fund, f["name"], "", capital, cash, "", total["cost_fen"], total["proceeds_fen"],
                      total["gain_fen"]])
        for (_, enterprise, kind), r in lots:
            figures = [_money(r["units_fen"]), _money(r["cost_fen"]), _money(r["proceeds_fen"]), _money(r["gain_fen"])]
            data.append([fund, "holding", None, enterprise, kind, None, None, *figures, None, None, None, None])
            shown.append([fund, f"  {enterprise}", kind, "", "", *figures])
        if failure is not None:
            shown.append([fund, Message(N_("  {describe}"), describe=failure.describe()), "P5.8", "", "", "", "", "", ""])
            if failure.flagged:
                notes.append(Message(N_("{fund}: {describe}"), fund=fund, describe=failure.describe()))
        if lots:
            losses = total["loss_fen"]
            notes.append(Message(N_("{fund}: realised gains {value}, losses {losses}, net {gain_fen}"), fund=fund, value=fmt(total['gain_fen'] + losses), losses=fmt(losses), gain_fen=fmt(total['gain_fen'])))
    title = N_("funds: capital, cash, holdings, realised gains and losses, P5.8 failure ratio")
    common = [N_("cash = capital − direct investments + exit proceeds; units are registered capital (1 unit = 1 yuan)"),
              N_("realised_gain: exits at price − cost and write-offs at − cost (negative: a loss); converted grants cost the fund no cash")]
    table = Report(title,
                   [Column("fund"), Column("name_or_enterprise"), Column("kind"), Column("capital", True),
                    Column("cash", True), Column("units_held", True), Column("cost_held", True),
                    Column("proceeds", True), Column("realised_gain", True)], shown, [*common, *notes])
    return Report(title,
                  [Column("fund"), Column("record"), Column("name"), Column("enterprise"), Column("kind"),
                   Column("capital", True), Column("cash", True), Column("units_held", True),
                   Column("cost_held", True), Column("proceeds", True), Column("realised_gain", True),
                   Column("early_stage_projects"), Column("failed_projects"), Column("failure_tolerance"),
                   Column("failure_flagged")], data,
                  [*common, N_("record fund: the fund's totals and its P5.8 early-stage projects, failed ones, the tolerance in force and whether the ratio is above it; record holding: one per enterprise and kind"), *notes], display=table)


def loan_status(loan: dict[str, Any], totals: dict[str, Any], bearers: dict[str, dict[str, Any]]) -> str:
    """As domain.loan.Loan.status, from the read model's figures."""
    from domain.loan import PAYERS  # here: the Loan aggregate's event classes cost other reports ~75 ms

    if loan["claimed_on"]:
        if not loan["approved_on"]:
            return "claimed"
        if any(_money(b["approved_fen"]) - _money(b["paid_fen"]) for name, b in bearers.items() if name in PAYERS):
            return "approved"
        return "recovering" if totals["recovered_fen"] else "compensated"
    if loan["loss_declared_on"]:
        return "loss declared"
    if loan["non_performing_on"]:
        return "non-performing"
    if not totals["disbursed_fen"]:
        return "enrolled"
    return "repaid" if totals["disbursed_fen"] == totals["repaid_fen"] else "performing"


def loans(rows: Rows) -> Report:
    """P5.6 loans: one row per loan (principal, unrepaid, loss, status), then one per bearer of
    the loss (省财政, 市财政, the bank): its share, paid, still owed, recoveries returned."""
    from domain.loan import PAYERS  # here: see loan_status

    bearers: dict[str, dict[str, dict[str, Any]]] = {}
    for (loan, bearer), r in rows["rm_loan_bearers"].items():
        bearers.setdefault(loan, {})[bearer] = r
    out: list[list[Any]] = []
    banks: set[int] = set()  # rows where the bank bears its share
    for (code,), loan in sorted(rows["rm_loans"].items()):
        totals = rows["rm_loan_totals"].get((code,), {})
        totals = {c: totals.get(c, 0) for c in ("disbursed_fen", "repaid_fen", "loss_fen", "recovered_fen")}
        own = bearers.get(code, {})
        unrepaid = _money(totals["disbursed_fen"]) - _money(totals["repaid_fen"])
        out.append([code, loan["bank"], loan["borrower"], loan["category"], clause_title(loan["category"]),
                    loan_status(loan, totals, own),
                    _money(loan["principal_fen"]), unrepaid, _money(totals["loss_fen"]),
                    "", "", "", "", _money(totals["recovered_fen"])])
        for name in (*PAYERS, BANK):
            b = own.get(name)
            if b is None:
                continue
            share = _money(b["approved_fen"] or b["claimed_fen"])
            public = name in PAYERS
            paid = _money(b["paid_fen"]) if public else ""
            owed = _money(b["approved_fen"]) - _money(b["paid_fen"]) if public else ""
            out.append([code, "", "", "", "", "", "", "", "", name if public else loan["bank"],
                        share, paid, owed, _money(b["returned_fen"])])
            if not public:
                banks.add(len(out) - 1)
    columns = [Column("loan"), Column("bank"), Column("borrower"), Column("category"), Column("title"),
               Column("status"),
               Column("principal", True), Column("unrepaid", True), Column("loss", True), Column("bearer"),
               Column("share", True), Column("paid", True), Column("owed", True), Column("recovered", True)]
    title = N_("P5.6 loans: principal, unrepaid, loss, and each bearer's share, paid, owed, recovered")
    notes = [N_("unrepaid = disbursed − repaid (before the loss is written off); share: the approved share (claimed, until approved); owed = approved − paid; recovered: returned to each bearer pro rata (on the loan row: all recovered)"),
             N_("a row with a bearer is that bearer's part of the loan (the bank's code where the bank bears it)")]
    shown = [[*r[:9], f"{r[9]} (bank)", *r[10:]] if i in banks else r for i, r in enumerate(out)]
    return Report(title, columns, out, notes, display=Report(title, columns, shown, notes))


def trail(rows: Rows, entity: str, details: Mapping[int, Detail] | None = None) -> Report:
    """An entity's history (party, award, fund, loan, project code) in log order; ``details``:
    each position's provenance and derivation (projections.trail.details), read from the log
    for the events shown."""
    details = details or {}
    out: list[list[Any]] = []
    for (position,), r in sorted(rows["rm_trail"].items()):
        if entity not in (r["entity"], r["award"]):
            continue
        amount = "" if r["amount_fen"] is None else _money(r["amount_fen"])
        shown = details.get(position) or NO_DETAIL
        out.append([position, r["decided"], r["event"].split(".")[-1], r["award"], r["clause"], amount,
                    shown.actor, shown.ref, shown.request_id, shown.recorded_at, shown.trace])
    if not out:
        raise Refused(N_("no recorded events for {entity!r}"), entity=entity)
    return Report(Message(N_("audit trail of {entity}"), entity=entity),
                  [Column("position"), Column("decided"), Column("event"), Column("award"), Column("clause"),
                   Column("amount", True), Column("actor"), Column("ref"), Column("request_id"),
                   Column("recorded_at"), Column("trace")], out)


NO_DETAIL = Detail("", "", "", "", "")


REPORTS: dict[str, Callable[..., Report]] = {
    "balances": balances, "recipients": recipients, "caps": caps, "budgets": budgets, "funds": funds,
    "loans": loans,
}


# rendering --------------------------------------------------------------------------------

display_width = tables.display_width  # kept for callers of the old name


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def render(report: Report, form: str) -> str:
    """CSV and JSON: the data rows only (exact decimals; JSON adds "totals" and "notes" keys).
    Table: the display layout, totals under the rows, then the notes."""
    if form == "json":
        doc: dict[str, Any] = {
            "report": report.title,
        }
        if report.built is not None:
            doc["as_of"] = report.built.as_of.isoformat() if report.built.as_of is not None else None
            doc["at_position"] = report.built.at_position
            doc["log_position"] = report.built.log_position
        doc |= {
            "columns": [c.name for c in report.columns],
            "rows": [
                {c.name: _json_value(v) for c, v in zip(report.columns, row, strict=True)} for row in report.rows
            ],
        }
        if report.totals:
            doc["totals"] = [{c.name: _json_value(v) for c, v in zip(report.columns, row, strict=True)}
                             for row in report.totals]
        doc["notes"] = report.notes
        return json.dumps(doc, ensure_ascii=False, indent=2)
    if form == "csv":
        return tables.csv_text(_cols(report), report.rows).rstrip("\r\n")
    if form == "xlsx":
        raise Refused(N_("xlsx is binary: use xlsx(report) and write the bytes to a file"))
    if form != "table":
        raise Refused(N_("unknown format {form!r} (one of {formats})"), form=form, formats=", ".join(FORMATS))
    shown = report.display or report
    return tables.text_table(_cols(shown), shown.rows + shown.totals, title=report.title, notes=shown.notes,
                             max_width=tables.terminal_width())


def xlsx(report: Report) -> bytes:
    """The report as an xlsx workbook: the data rows with typed cells, headers in the officer's language."""
    return tables.xlsx_bytes(_cols(report), report.rows, title=report.title, notes=report.notes)


def _cols(report: Report) -> list[tables.Col]:
    return [tables.Col(c.name, money=c.money, right=c.name in RIGHT_ALIGNED, below=c.name == "trace",
                       words=c.name in WORD_COLUMNS) for c in report.columns]
