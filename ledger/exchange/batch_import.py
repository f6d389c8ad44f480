"""`jcg grant import FILE.csv`: many awards, disbursements or external awards at once.

Each row is its own request (its request id makes it idempotent) and is signed by the
officer like any other; the rows are recorded together, in one transaction, or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from domain.errors import Refused
from domain.journal import CITY
from domain.money import ZERO, fmt, parse_yuan
from domain.rules.basis import split_pairs
from domain.rules.engine import find_rule
from ledger.application import BatchRefused, Ledger
from ledger.commands import Command, Outcome
from ledger.handlers.grants import Disburse
from ledger.handlers.rules import AwardByRule, RecordExternalAward

COLUMNS = ("request_id", "action", "clause", "recipient", "basis", "amount", "decided", "ref", "reason",
           "source", "award", "voucher", "matter")
ACTIONS = ("award", "disburse", "external")
FIRST_ROW = 2  # line 1 is the header


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
    missing = [c for c in ("decided",) if c not in header]
    if missing:
        raise Refused(f"the CSV has no {', '.join(missing)} column")
    rows = tuple({k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader)
    if not rows:
        raise Refused("the CSV has no rows")
    return rows


def row_command(row: Mapping[str, str], actor: str) -> Command:
    """One CSV row → the command it stands for; refuses a malformed row in one line."""
    action = row.get("action") or "award"
    if action not in ACTIONS:
        raise Refused(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    try:
        decided = date.fromisoformat(row.get("decided", ""))
    except ValueError:
        raise Refused(f"decided {row.get('decided', '')!r} is not a date (YYYY-MM-DD)") from None
    # without a request id, the row's own content is its identity (empty columns do not count,
    # so the same row in a file with more columns is still the same request)
    request = row.get("request_id") or "import-row:" + hashlib.sha256(
        repr(sorted((k, v) for k, v in row.items() if v)).encode("utf-8")).hexdigest()[:24]
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
        return RecordExternalAward(recipient=row["recipient"], clause=row.get("clause", ""),
                                   matter=row.get("matter", ""), amount=amount, source=row.get("source", ""),
                                   **common)
    pairs = [p for p in row.get("basis", "").split(";") if p.strip()]
    find_rule(row.get("clause", ""))
    return AwardByRule(recipient=row["recipient"], clause=row["clause"], basis=split_pairs(pairs), amount=amount,
                       reason=row.get("reason", ""), source=row.get("source") or CITY, **common)


def import_csv(ledger: Ledger, text: str, actor: str, source_name: str = "CSV",
               progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Validate every row, then record them all in one transaction (or refuse, listing each bad row)."""
    rows = read_rows(text)
    commands: list[Command] = []
    numbers: list[int] = []
    problems: list[tuple[int, str]] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=FIRST_ROW):
        try:
            command = row_command(row, actor)
        except Refused as exc:
            problems.append((number, f"row {number}: {exc}"))
            continue
        if command.request_id in first_row:
            problems.append((number, f"row {number}: request id {command.request_id} repeats row "
                                     f"{first_row[command.request_id]}"))
            continue
        first_row[command.request_id] = number
        commands.append(command)
        numbers.append(number)
    try:
        # with malformed rows the rest is still checked (a dry run), so every bad row is listed at once
        outcomes = ledger.execute_batch(commands, progress, dry_run=bool(problems))
    except BatchRefused as exc:
        problems += [(numbers[i], f"row {numbers[i]} ({commands[i].request_id}): {why}") for i, why in exc.problems]
    if problems:
        raise ImportRefused([text for _, text in sorted(problems)], len(rows))
    recorded = [f"row {numbers[i]} ({commands[i].request_id}): {o.message}"
                for i, o in enumerate(outcomes) if not o.already_recorded]
    awarded = sum((o.data.get("amount", ZERO) for i, o in enumerate(outcomes)
                   if not o.already_recorded and isinstance(commands[i], AwardByRule)), ZERO)
    return Outcome(
        "",
        f"imported {len(recorded)} of {len(rows)} rows from {source_name} "
        f"({len(outcomes) - len(recorded)} already recorded); awarded {fmt(awarded)}",
        trace=recorded,
        data={"recorded": len(recorded), "skipped": len(outcomes) - len(recorded), "awarded": awarded},
        warnings=[w for o in outcomes for w in o.warnings],  # a due checkpoint that could not be made
    )
