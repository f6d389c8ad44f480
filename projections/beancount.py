"""The double-entry journal as a Beancount ledger, for the tools auditors already use (bean-check, Fava).

One transaction per journal entry (a money event), dated with its decision date, narration in
Chinese, metadata naming where it comes from (clause, award/loan/project, 文号, voucher, request
id, log position, derivation trace). Accounts are opened on first use, with the jcg account and
its Chinese name as metadata. At every year end a ``balance`` assertion states each account's
balance as jcg's own balances read model computes it (``report balances --as-of``), so
``bean-check`` proves that the export and jcg agree.

Account names follow Beancount's rules (``beancount.core.account``): a root of Assets,
Liabilities, Equity, Income or Expenses, then components that start with an ASCII capital or a
digit and go on with letters (Chinese included), digits or ``-``. A jcg account such as
``payable:U-SXNU`` becomes ``Liabilities:Payable:U-SXNU-山西师范大学``; a component that would
start with a Chinese character gets an ASCII word before it (``City-市财政``), and a name that
two jcg accounts would share gets a short hash of the jcg account, so the mapping is one-to-one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.clauses import catalogue
from domain.journal import CITY, PROVINCE, Posting, postings
from domain.messages import N_, Message
from ledger.application import Ledger
from projections.state import from_fen

CURRENCY = "CNY"

# jcg account kind → Beancount root and first component (the treasury's point of view)
ROOTS = {
    "funding": "Assets:Funding",
    "loan": "Assets:Loans",
    "claim": "Assets:Claims",
    "equity": "Assets:Holdings:Equity",
    "debt": "Assets:Holdings:Debt",
    "project": "Assets:Projects",
    "payable": "Liabilities:Payable",
    "claimed": "Liabilities:Claimed",
    "capital": "Equity:Fund-Capital",
    "budget": "Expenses:Budget",
    "capitalised": "Expenses:Capitalised",
    "loss": "Expenses:Losses",
    "revenue": "Income:Revenue",
    "gain": "Income:Gains",
    "interest": "Income:Interest",
}
# words that are data (policy payers): an ASCII word in front, so the component may start with it
ASCII_WORDS = {CITY: "City", PROVINCE: "Province", "bank": "Bank", "returned": "Returned"}

# one narration per money event (rendered in Chinese: docs/i18n.md ids, the zh catalogue)
NARRATIONS = {
    "Enterprise.AwardGranted": N_("award {award} under {clause} to {party}"),
    "Enterprise.Disbursed": N_("disbursement of award {award} to {party}"),
    "Enterprise.ClawedBack": N_("clawback of award {award} from {party}"),
    "Enterprise.AwardVoided": N_("unpaid part of award {award} to {party} voided"),
    "Project.TranchePaid": N_("tranche of project {project} paid to {party}"),
    "Project.Converted": N_("project {project} converted into a holding of fund {fund} in {party}"),
    "Project.ClawedBack": N_("clawback from project {project}"),
    "Project.ReassignedOut": N_("project {project} money reassigned to project {target}"),
    "Fund.Registered": N_("fund {fund} registered with its capital"),
    "Fund.Invested": N_("fund {fund} invested in {party}"),
    "Fund.Disposed": N_("fund {fund} disposed of its holding in {party}"),
    "Fund.DebtRepaid": N_("debt held by fund {fund} repaid by {party}"),
    "Fund.WrittenOff": N_("fund {fund} wrote off its holding in {party}"),
    "Loan.Disbursed": N_("loan {loan} disbursed by {bank}"),
    "Loan.Repaid": N_("loan {loan} repaid to {bank}"),
    "Loan.LossDeclared": N_("loss declared on loan {loan}"),
    "Loan.CompensationClaimed": N_("compensation claimed for loan {loan} by {bank}"),
    "Loan.CompensationApproved": N_("compensation approved for loan {loan}"),
    "Loan.CompensationPaid": N_("compensation for loan {loan} paid by {payer}"),
    "Loan.Recovered": N_("recovery on loan {loan} shared among its bearers"),
    "Project.TrancheReversed": N_("tranche of project {project} to {party} reversed (recorded in error)"),
    "Loan.PaymentReversed": N_("compensation for loan {loan} by {payer} reversed (recorded in error)"),
    "Loan.RepaymentReversed": N_("repayment of loan {loan} reversed (recorded in error)"),
    "Loan.RecoveryReversed": N_("recovery on loan {loan} reversed (recorded in error)"),
    "Loan.ClaimWithdrawn": N_("compensation claim for loan {loan} withdrawn (recorded in error)"),
}
OTHER_NARRATION = N_("journal entry of {event}")


@dataclass
class Entry:
    """One journal entry to write: the event's postings, when and where it was decided."""

    position: int
    decided: date
    kind: str
    event: Any
    legs: tuple[Posting, ...]


@dataclass
class Export:
    text: str
    accounts: dict[str, str] = field(default_factory=dict)  # jcg account → Beancount account
    transactions: int = 0
    assertions: int = 0


def money_entries(log: Iterable[tuple[int, Any]], names: dict[str, str], as_of: date | None = None) -> list[Entry]:
    """The journal entries of the log (decided on or before ``as_of``), in (decision date,
    position) order; ``names`` collects the Chinese name of every registered code on the way."""
    out = []
    for position, event in log:
        code, name = getattr(event, "code", None), getattr(event, "name", None)
        if isinstance(code, str) and isinstance(name, str) and name:
            names.setdefault(code, name)
        legs = postings(event)
        if not legs:
            continue
        by = getattr(event, "by", None)
        if by is None or (as_of is not None and by.decided > as_of):
            continue
        out.append(Entry(position, by.decided, type(event).__qualname__, event, legs))
    out.sort(key=lambda e: (e.decided, e.position))
    return out


def component(text: str, name: str | None = None) -> str:
    """One Beancount account component: ``text`` (and ``name`` when it adds something), every
    character not a letter, a digit or ``-`` made ``-``, starting with an ASCII capital or digit."""
    word = ASCII_WORDS.get(text)
    parts = [text] if not word else [word] if word.lower() == text.lower() else [word, text]
    if name and name != text:
        parts.append(name)
    raw = "-".join(parts)
    chars = [c if (c.isalpha() or c.isdecimal() or c == "-") and c not in "_" else "-" for c in raw]
    out = "-".join(p for p in "".join(chars).split("-") if p)
    if not out:
        return "X"
    first = out[0]
    if first.isascii() and first.isalpha():
        return first.upper() + out[1:]
    if first.isascii() and first.isdigit():
        return out
    return "X-" + out


def bean_account(account: str, names: dict[str, str]) -> str:
    """The Beancount name of a jcg account (before collisions are told apart)."""
    kind, *rest = account.split(":")
    root = ROOTS.get(kind) or f"Equity:Other:{component(kind)}"
    parts = []
    for i, seg in enumerate(rest):
        title = ""
        if kind in ("budget", "capitalised") and i == 0:
            clause = catalogue().get(seg)
            title = clause.title if clause else ""
        parts.append(component(seg, names.get(seg) or title or None))
    return ":".join([root, *parts])


def account_map(accounts: Iterable[str], names: dict[str, str]) -> dict[str, str]:
    """jcg account → Beancount account, one-to-one (a shared name gets a hash of the jcg account)."""
    mapped = {a: bean_account(a, names) for a in sorted(set(accounts))}
    seen: dict[str, list[str]] = {}
    for a, b in mapped.items():
        seen.setdefault(b, []).append(a)
    for b, owners in seen.items():
        if len(owners) > 1:
            for a in owners:
                mapped[a] = f"{b}-{hashlib.sha256(a.encode()).hexdigest()[:6]}"
    return mapped


def _quote(value: Any) -> str:
    text = " ".join(str(value).split())  # one line: newlines and tabs as spaces
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _metadata(entry: Entry) -> list[tuple[str, str]]:
    e, by = entry.event, entry.event.by
    meta: list[tuple[str, str]] = [("jcg-position", str(entry.position)), ("jcg-event", _quote(entry.kind))]
    for key, attr in (("clause", "clause"), ("award", "award_id"), ("loan", "loan"), ("fund", "fund"),
                      ("party", "party"), ("enterprise", "enterprise"), ("bank", "bank"), ("source", "source"),
                      ("payer", "payer"), ("voucher", "voucher"), ("reason", "reason")):
        value = getattr(e, attr, None)
        if isinstance(value, str) and value:
            meta.append((key, _quote(value)))
    if entry.kind.startswith("Project."):
        meta.append(("project", _quote(e.code)))
    if by.ref:
        meta.append(("wenhao", _quote(by.ref)))  # 文号 (metadata keys are ASCII in Beancount)
    meta.append(("request-id", _quote(by.request_id)))
    meta.append(("officer", _quote(by.actor)))
    for i, line in enumerate(getattr(e, "trace", None) or [], 1):
        meta.append((f"trace-{i}", _quote(line)))
    for i, version in enumerate(getattr(e, "versions", None) or [], 1):
        meta.append((f"parameter-{i}", _quote(version)))
    return meta


def narration(entry: Entry, names: dict[str, str], render: Any) -> tuple[str, str]:
    """(payee, narration) in the language of ``render``."""
    e = entry.event

    def who(code: Any) -> str:
        return f"{code} {names[code]}" if isinstance(code, str) and code in names else str(code or "")

    party = getattr(e, "party", None) or getattr(e, "enterprise", None)
    params = {
        "award": getattr(e, "award_id", ""), "clause": getattr(e, "clause", ""), "party": who(party),
        "project": getattr(e, "code", "") if entry.kind.startswith("Project.") else "",
        "fund": who(getattr(e, "fund", None) or (e.code if entry.kind == "Fund.Registered" else "")),
        "target": getattr(e, "target", ""), "loan": getattr(e, "loan", ""), "bank": who(getattr(e, "bank", "")),
        "payer": who(getattr(e, "payer", "")), "event": entry.kind,
    }
    clause = catalogue().get(params["clause"])
    text = render(Message(NARRATIONS.get(entry.kind, OTHER_NARRATION), params))
    if clause is not None:
        text = f"{text}（{clause.id} {clause.title}）"
    payee = who(party) if party else (who(getattr(e, "bank", None)) if getattr(e, "bank", None) else "")
    return payee, text


def year_ends(entries: list[Entry], as_of: date | None) -> list[date]:
    """The days after each year end the log spans (a ``balance`` assertion is checked at the
    start of its day), and the day after ``as_of``."""
    if not entries:
        return []
    first, last = entries[0].decided.year, entries[-1].decided.year
    days = [date(y + 1, 1, 1) for y in range(first, last + 1) if as_of is None or date(y, 12, 31) <= as_of]
    if as_of is not None and as_of + timedelta(days=1) not in days:
        days.append(as_of + timedelta(days=1))
    return days


def write(entries: list[Entry], names: dict[str, str], balances_at: Callable[[date], dict[str, Decimal]],
          days: list[date], *, title: str, render: Callable[[Message], str], header: list[str] | None = None) -> Export:
    """The Beancount text. ``balances_at(day)`` gives jcg's balances ({jcg account: Decimal}) of
    everything decided before ``day``, from its balances read model (not from these entries),
    asserted on each of ``days``."""
    accounts = account_map((p.account for e in entries for p in e.legs), names)
    opened: dict[str, date] = {}
    for e in entries:
        for p in e.legs:
            opened.setdefault(p.account, e.decided)
    out = [f"; {line}" for line in header or []]
    out += [f"option \"title\" {_quote(title)}", f"option \"operating_currency\" \"{CURRENCY}\"", ""]
    out.append(f"{min(opened.values(), default=date(2024, 1, 1))} commodity {CURRENCY}")
    for account, day in sorted(opened.items(), key=lambda kv: (kv[1], accounts[kv[0]])):
        out.append(f"{day} open {accounts[account]} {CURRENCY}")
        out.append(f"  jcg-account: {_quote(account)}")
        if account.split(":")[-1] in names or any(seg in names for seg in account.split(":")):
            out.append(f"  name: {_quote(' '.join(names[seg] for seg in account.split(':') if seg in names))}")
    out.append("")
    for e in entries:
        payee, text = narration(e, names, render)
        out.append(f"{e.decided} * {_quote(payee)} {_quote(text)}")
        out += [f"  {k}: {v}" for k, v in _metadata(e)]
        for p in e.legs:
            out.append(f"  {accounts[p.account]}  {_amount(p.amount)} {CURRENCY}")
        out.append("")
    export = Export("", accounts, len(entries))
    for day in days:
        balances = balances_at(day)
        for account in sorted((a for a, d in opened.items() if d < day), key=lambda a: accounts[a]):
            amount = balances.get(account, Decimal("0.00"))
            out.append(f"{day} balance {accounts[account]}  {_amount(amount)} {CURRENCY}")
            export.assertions += 1
        out.append("")
    export.text = "\n".join(out).rstrip("\n") + "\n"
    return export


def balances_from(rows: dict[str, Any]) -> dict[str, Decimal]:
    """{jcg account: balance} from the balances read model's rows."""
    return {key[0]: from_fen(r["balance_fen"]) for key, r in rows["rm_balances"].items()}


def export_beancount(ledger: Ledger, *, as_of: date | None = None, render: Callable[[Message], str] | None = None,
                     title: str = "晋创谷·临汾 jcg-ledger") -> Export:
    """The ledger's journal (decided on or before ``as_of``) as Beancount text. A read: the log is
    read once for the entries, and jcg's balances read model is folded once per asserted day."""
    from projections.runner import fold

    names: dict[str, str] = {}
    entries = money_entries(ledger.read_log(), names, as_of)
    days = year_ends(entries, as_of)
    head = ledger.recorder.max_notification_id() or 0

    def balances_at(day: date) -> dict[str, Decimal]:
        state, _ = fold(ledger, as_of=day - timedelta(days=1), at_position=head or None, report="balances")
        return balances_from(state.rows)

    header = [f"jcg export beancount: log position {head}" + (f", decided on or before {as_of}" if as_of else ""),
              "balance assertions: jcg's balances read model at each year end (bean-check compares)"]
    return write(entries, names, balances_at, days, title=title, render=render or str, header=header)
