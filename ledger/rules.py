"""Awards computed by the policy rules, external awards (G.3), dry runs and CSV imports.

The handler evaluates the rule against the recipient aggregate loaded in the unit of work
(and the clause-year counter for count caps) and records the award on it; if another
officer saved first, the application's optimistic-concurrency retry re-loads and
re-evaluates, so annual caps, one-time caps, G.3 and count caps cannot be raced past.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from domain.clauses import clause as find_clause
from domain.clauses import money_clause
from domain.compensation import Split, compensation_split
from domain.counter import ClauseYearCounter
from domain.enterprise import Award, Enterprise
from domain.errors import Refused
from domain.ids import counter_id, party_id
from domain.ids import request_id as request_aggregate_id
from domain.journal import CITY
from domain.money import ZERO, fmt, parse_rate, parse_yuan
from domain.provenance import Provenance
from domain.request import RecordedRequest
from domain.rules import Entitlement, evaluate, find_rule
from domain.rules.basis import split_pairs
from domain.rules.engine import canonical_basis, shared_subject
from domain.rules.matters import check_external_matter
from domain.shared_subject import SharedSubject, shared_subject_id
from domain.validity import check_in_force
from ledger.commands import HANDLERS, Command, Outcome, handles
from ledger.grants import Disburse
from ledger.unit_of_work import UnitOfWork

# commands -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AwardByRule(Command):
    """Compute the entitlement under CLAUSE from the basis, enforce caps and G.3, record it."""

    kind = "grant.award-by-rule"
    recipient: str
    clause: str
    basis: dict[str, str] = field(default_factory=dict)
    amount: Decimal | None = None
    reason: str = ""
    source: str = CITY

    def __post_init__(self) -> None:
        # one spelling per value, so 50万 and 500,000.00 are the same request (idempotency)
        object.__setattr__(self, "basis", canonical_basis(self.clause, self.basis))


@dataclass(frozen=True, kw_only=True)
class RecordExternalAward(Command):
    """An award paid under another policy on a G.3 matter (no money of this ledger moves)."""

    kind = "grant.external"
    # another policy's decision (provincial 晋创谷, other city policies): not bound by this
    # policy's G.1 window, so G.3 can see a provincial award decided before 2024-11-05
    checks_policy_window: ClassVar[bool] = False
    recipient: str
    clause: str
    matter: str
    amount: Decimal
    source: str


@dataclass(frozen=True, kw_only=True)
class ImportAwards(Command):
    """Many awards/disbursements from a CSV file: all rows are recorded, or none."""

    kind = "grant.import"
    checks_policy_window: ClassVar[bool] = False  # each row's decision date is checked instead
    rows: tuple[dict[str, str], ...]
    source_name: str = ""


# awards ---------------------------------------------------------------------------------


def _shared_awards(uow: UnitOfWork, key: str, recipient: str) -> tuple[Award, ...]:
    """The other recipients' awards on a subject that spans recipients (Rule.shared)."""
    subject = uow.find(SharedSubject, shared_subject_id(key)) if key else None
    if subject is None:
        return ()
    return tuple(uow.get(Enterprise, party_id(code), f"party {code}").award(award_id)
                 for code, award_id in subject.awards if code != recipient)


def _entitlement(uow: UnitOfWork, cmd: AwardByRule) -> tuple[Enterprise, Entitlement, ClauseYearCounter | None]:
    rule = find_rule(cmd.clause)
    money_clause(rule.clause)
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    counter = None
    if rule.counted:
        counter = uow.find(ClauseYearCounter, counter_id(rule.clause, cmd.decided.year))
    others = _shared_awards(uow, shared_subject(rule.clause, cmd.basis), party.code)
    entitlement = evaluate(
        rule.clause, party, cmd.basis, cmd.decided, uow.book, amount=cmd.amount, reason=cmd.reason,
        ref=cmd.ref, counter_taken=tuple(counter.taken) if counter else (), others=others,
    )
    return party, entitlement, counter


@handles(AwardByRule)
def award_by_rule(uow: UnitOfWork, cmd: AwardByRule, by: Provenance) -> Outcome:
    party, ent, counter = _entitlement(uow, cmd)
    if ent.count_cap is not None:
        if counter is None:
            counter = ClauseYearCounter.open(by, ent.clause, ent.count_cap.year)
            uow.add(counter, f"counter {ent.clause} {ent.count_cap.year}")
        counter.take(by, party.code, ent.count_cap.limit)
    award_id = party.grant_award(
        by, ent.clause, ent.amount, source=cmd.source, matter=ent.matter, basis=dict(ent.basis),
        trace=ent.trace, versions=list(ent.versions), reason=cmd.reason,
    )
    key = shared_subject(ent.clause, ent.basis)
    if key:  # the subject spans recipients: its aggregate lists the award (two officers race there)
        subject = uow.find(SharedSubject, shared_subject_id(key))
        if subject is None:
            subject = SharedSubject.open(by, key)
            uow.add(subject, f"subject {key}")
        subject.record(by, party.code, award_id)
    title = find_clause(ent.clause).title
    return Outcome(
        cmd.request_id,
        f"award {award_id}: {fmt(ent.amount)} to {cmd.recipient} under {ent.clause} {title} ({cmd.ref})",
        trace=[*ent.trace, f"parameters: {', '.join(ent.versions) or 'none'}"]
        + ([f"G.3 matter: {ent.matter}"] if ent.matter else []),
        data={"award": award_id, "amount": ent.amount, "matter": ent.matter},
    )


@handles(RecordExternalAward)
def record_external_award(uow: UnitOfWork, cmd: RecordExternalAward, by: Provenance) -> Outcome:
    c = find_clause(cmd.clause)
    matter = check_external_matter(find_rule(c.id), cmd.matter)  # G.3 must be able to match it
    party = uow.get(Enterprise, party_id(cmd.recipient), f"party {cmd.recipient}")
    party.record_external_award(by, c.id, matter, cmd.amount, cmd.source)
    return Outcome(
        cmd.request_id,
        f"external award {fmt(cmd.amount)} to {cmd.recipient} from {cmd.source} ({cmd.ref}) recorded on "
        f"G.3 matter {matter}; received on it now {fmt(party.received_on(matter))}",
    )


def calculate(
    ledger: Any,
    clause_id: str,
    recipient: str,
    basis: Mapping[str, str],
    decided: date,
    *,
    amount: Decimal | None = None,
    reason: str = "",
    ref: str = "",
) -> Entitlement | Split:
    """The dry run of `jcg policy calc`: the same computation as an award, nothing written."""
    check_in_force(decided, ledger.book)
    c = find_clause(clause_id)
    if c.id in {"P5.6a", "P5.6b"}:
        raw = dict(basis)
        if "loss" not in raw:
            raise Refused(f"{c.id}: basis loss (yuan, the principal loss) is required")
        rates = {k: parse_rate(raw[k], f"{c.id}: basis {k}") for k in ("province_rate", "city_rate") if k in raw}
        unknown = set(raw) - {"loss", "province_rate", "city_rate"}
        if unknown:
            raise Refused(f"{c.id}: unknown basis key {', '.join(sorted(unknown))} (expected: loss, province_rate, city_rate)")
        return compensation_split(c.id, parse_yuan(raw["loss"]), decided, ledger.book, **rates)
    uow = UnitOfWork(ledger.repository, ledger.book)
    cmd = AwardByRule(actor="dry-run", decided=decided, ref=ref, recipient=recipient, clause=clause_id,
                      basis=dict(basis), amount=amount, reason=reason)
    return _entitlement(uow, cmd)[1]


# import ---------------------------------------------------------------------------------

IMPORT_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("import_progress", default=None)
COLUMNS = ("request_id", "action", "clause", "recipient", "basis", "amount", "decided", "ref", "reason",
           "source", "award", "voucher", "matter")
ACTIONS = ("award", "disburse", "external")


class ImportRefused(Refused):
    """An import with bad rows: nothing was written; ``problems`` lists each row and why."""

    def __init__(self, problems: list[str], total: int):
        self.problems = problems
        super().__init__(f"{len(problems)} of {total} rows refused; nothing written")


def read_rows(text: str) -> tuple[dict[str, str], ...]:
    """CSV text → rows as dicts (unknown columns are refused so typos do not pass silently)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise Refused(f"unknown CSV column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if not header or ("clause" not in header and "award" not in header):
        raise Refused(f"the CSV needs a header row with columns from: {', '.join(COLUMNS)}")
    return tuple({k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader)


def row_command(row: Mapping[str, str], actor: str) -> Command:
    """One CSV row → the command it stands for; refuses a malformed row in one line."""
    action = row.get("action") or "award"
    if action not in ACTIONS:
        raise Refused(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    try:
        decided = date.fromisoformat(row.get("decided", ""))
    except ValueError:
        raise Refused(f"decided {row.get('decided', '')!r} is not a date (YYYY-MM-DD)") from None
    request = row.get("request_id") or "import-row:" + hashlib.sha256(
        repr(sorted(row.items())).encode("utf-8")).hexdigest()[:24]
    common: dict[str, Any] = {"actor": actor, "decided": decided, "ref": row.get("ref", ""), "request_id": request}
    amount = parse_yuan(row["amount"]) if row.get("amount") else None
    if action == "disburse":
        award = row.get("award", "")
        code, sep, number = award.rpartition("-A")
        if not sep or not number.isdigit():
            raise Refused(f"award {award!r} is not an award id (like ENT-001-A1)")
        if amount is None:
            raise Refused("a disbursement needs an amount")
        return Disburse(recipient=code, award=award, amount=amount, voucher=row.get("voucher", ""), **common)
    if not row.get("recipient"):
        raise Refused("recipient is empty")
    if action == "external":
        if amount is None:
            raise Refused("an external award needs an amount")
        return RecordExternalAward(recipient=row["recipient"], clause=row.get("clause", ""), matter=row.get("matter", ""),
                                   amount=amount, source=row.get("source", ""), **common)
    pairs = [p for p in row.get("basis", "").split(";") if p.strip()]
    find_rule(row.get("clause", ""))
    return AwardByRule(recipient=row["recipient"], clause=row["clause"],
                       basis=split_pairs(pairs), amount=amount,
                       reason=row.get("reason", ""), source=row.get("source") or CITY, **common)


@handles(ImportAwards)
def import_awards(uow: UnitOfWork, cmd: ImportAwards, by: Provenance) -> Outcome:
    progress = IMPORT_PROGRESS.get()
    problems: list[str] = []
    recorded: list[str] = []
    skipped = 0
    awarded = ZERO
    seen: dict[str, int] = {}
    total = len(cmd.rows)
    for number, row in enumerate(cmd.rows, start=2):  # line 1 is the header
        where = f"row {number}"
        try:
            command = row_command(row, cmd.actor)
            if command.request_id in seen:
                raise Refused(f"request id {command.request_id} repeats row {seen[command.request_id]}")
            seen[command.request_id] = number
            where = f"row {number} ({command.request_id})"
            check_in_force(command.decided, uow.book)
            prior = uow.find(RecordedRequest, request_aggregate_id(command.request_id))
            if prior is not None:
                if prior.digest != command.digest():
                    raise Refused(f"request id already used for a different request ({prior.summary})")
                skipped += 1
                continue
            row_by = Provenance(actor=cmd.actor, recorded_at=by.recorded_at, decided=command.decided,
                                request_id=command.request_id, ref=command.ref)
            outcome = HANDLERS[type(command)](uow, command, row_by)
            uow.add(RecordedRequest(by=row_by, request=command.request_id, kind=command.kind,
                                    command=command.encoded().decode("utf-8"), digest=command.digest(),
                                    summary=outcome.message), f"request {command.request_id}")
            recorded.append(f"{where}: {outcome.message}")
            if isinstance(command, AwardByRule):
                awarded += outcome.data["amount"]
        except Refused as exc:
            problems.append(f"{where}: {exc}")
        if progress is not None:
            progress(number - 1, total)
    if problems:
        raise ImportRefused(problems, total)
    return Outcome(
        cmd.request_id,
        f"imported {len(recorded)} of {total} rows from {cmd.source_name or 'CSV'} "
        f"({skipped} already recorded); awarded {fmt(awarded)}",
        trace=recorded,
        data={"recorded": len(recorded), "skipped": skipped, "awarded": awarded},
    )


def import_command(text: str, actor: str, source_name: str = "", request_id: str = "") -> ImportAwards:
    """The import command for a CSV text; its request id defaults to the file's digest, so
    importing the same file twice changes nothing."""
    rows = read_rows(text)
    if not rows:
        raise Refused("the CSV has no rows")
    dates = []
    for row in rows:
        try:
            dates.append(date.fromisoformat(row.get("decided", "")))
        except ValueError:
            continue
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    return ImportAwards(actor=actor, decided=max(dates, default=date.today()), rows=rows,
                        source_name=source_name, request_id=request_id or f"import:{digest}")

