"""`jcg grant import FILE.csv`: many awards, disbursements or external awards at once.

Each row is its own request (its request id makes it idempotent) and is signed by the
officer like any other; the rows are recorded together, in one transaction, or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping
from typing import Any

from domain import fields
from domain.aliases import csv_action, csv_column, folded
from domain.errors import Refused
from domain.journal import CITY
from domain.messages import N_, Message
from domain.money import ZERO, fmt
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
# The longest cell a row can need (a basis of several pairs; a reason is at most 500): longer
# is refused with the CSV line (the csv module's own limit, 131,072, raised a traceback).
FIELD_LIMIT = 4096


class ImportRefused(Refused):
    """An import with bad rows: nothing was written; ``problems`` lists each row and why."""

    def __init__(self, problems: list[str], total: int):
        self.problems = problems
        super().__init__(N_("{refused} of {total} rows refused; nothing written"), refused=len(problems), total=total)


ENCODINGS = ("utf-8", "gb18030")


def decode_csv(data: bytes, source_name: str = "CSV") -> str:
    """The text of a CSV file as offices save it: UTF-8 with or without a BOM (Excel's "CSV UTF-8",
    WPS), else GB18030 (Excel on Chinese Windows saves GBK, which GB18030 contains). A file that is
    neither is refused naming its first line that fits neither encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    for number, line in enumerate(data.splitlines(), start=1):
        for encoding in ENCODINGS:
            try:
                line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise Refused(N_("{file}: line {line} is neither UTF-8 nor GB18030 text (save the file as CSV UTF-8)"),
                          file=source_name, line=number)
    raise Refused(N_("{file} is neither UTF-8 nor GB18030 text (save the file as CSV UTF-8)"),
                  file=source_name)  # pragma: no cover - some line always fails first


def read_rows(text: str) -> tuple[dict[str, str], ...]:
    """CSV text → rows as dicts. Unknown or repeated columns are refused (a typo or a pasted
    column must not pass silently, nor one of two values win), and so is a field longer than
    :data:`FIELD_LIMIT` (one line naming the CSV line, not the csv module's traceback)."""
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        # headers may be written in Chinese (请求号, 操作, 条款, 受益单位, 依据, 金额, 决定日期, 文号 …:
        # domain/aliases.py)
        header = [csv_column(h, COLUMNS) or h.strip(" ") for h in next(reader, [])]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise Refused(N_("unknown CSV column(s) {unknown} (known: {columns})"), unknown=', '.join(unknown), columns=', '.join(COLUMNS))
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            raise Refused(N_("the CSV names column(s) {columns} more than once"), columns=", ".join(repeated))
        if not header or ("clause" not in header and "award" not in header):
            raise Refused(N_("the CSV needs a header row with columns from: {columns}"), columns=', '.join(COLUMNS))
        missing = [c for c in ("decided",) if c not in header]
        if missing:
            raise Refused(N_("the CSV has no {missing} column"), missing=', '.join(missing))
        rows = []
        for cells in reader:
            if not any(c.strip(" ") for c in cells):
                continue  # a blank line
            if any(c.strip(" ") for c in cells[len(header):]):
                raise Refused(N_("CSV line {line} has {found} fields; the header has {expected}"),
                              line=reader.line_num, found=len(cells), expected=len(header))
            # only plain spaces around a cell are trimmed: a newline, tab or hidden character
            # inside is the field types' business (refused, never silently removed)
            rows.append({k: v.strip(" ") for k, v in zip(header, cells, strict=False)})
    except csv.Error as exc:
        raise Refused(N_("CSV line {line} cannot be read: {reason}"), line=reader.line_num, reason=str(exc)) from None
    if not rows:
        raise Refused(N_("the CSV has no rows"))
    return tuple(rows)


def row_command(row: Mapping[str, str], actor: str) -> Command:
    """One CSV row → the command it stands for; refuses a malformed row in one line.
    Every cell is parsed by its boundary field type (domain.fields)."""
    action = csv_action(row.get("action") or "award", ACTIONS) or row.get("action", "")
    if action not in ACTIONS:
        raise Refused(N_("action {action!r} is not one of {actions}"), action=action, actions=', '.join(ACTIONS))
    decided = fields.parse_date(row.get("decided", ""), N_("decided"))
    # without a request id, the row's own content is its identity (empty columns do not count,
    # so the same row in a file with more columns is still the same request)
    request = fields.REQUEST_ID(row.get("request_id", ""), required=False) or "import-row:" + hashlib.sha256(
        repr(sorted((k, v) for k, v in row.items() if v)).encode("utf-8")).hexdigest()[:24]
    common: dict[str, Any] = {"actor": actor, "decided": decided, "ref": fields.REF(row.get("ref", ""), required=False),
                              "request_id": request}
    amount = fields.amount(row["amount"]) if row.get("amount") else None
    if action == "disburse":
        award = fields.AWARD_ID(row.get("award", ""), required=False)
        code, sep, number = award.rpartition("-A")
        if not sep or not number.isdigit():
            raise Refused(N_("award {award!r} is not an award id (like ENT-001-A1)"), award=award)
        if amount is None:
            raise Refused(N_("a disbursement needs an amount"))
        return Disburse(recipient=code, award=award, amount=amount,
                        voucher=fields.VOUCHER(row.get("voucher", ""), required=False), **common)
    if not row.get("recipient"):
        raise Refused(N_("recipient is empty"))
    recipient = fields.PARTY_CODE(row["recipient"])
    clause = fields.CLAUSE(row.get("clause", ""), required=False)
    if action == "external":
        if amount is None:
            raise Refused(N_("an external award needs an amount"))
        return RecordExternalAward(recipient=recipient, clause=clause,
                                   matter=fields.MATTER(row.get("matter", ""), required=False), amount=amount,
                                   source=fields.SOURCE(row.get("source", ""), required=False), **common)
    pairs = [p for p in folded(row.get("basis", "")).split(";") if p.strip(" ")]
    find_rule(clause)
    return AwardByRule(recipient=recipient, clause=clause, basis=split_pairs(pairs), amount=amount,
                       reason=fields.REASON(row.get("reason", ""), required=False),
                       source=fields.SOURCE(row.get("source", ""), required=False) or CITY, **common)


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
            problems.append((number, Message(N_("row {row}: {why}"), row=number, why=exc)))
            continue
        if command.request_id in first_row:
            problems.append((number, Message(N_("row {row}: request id {request_id} repeats row {first}"), row=number,
                                             request_id=command.request_id, first=first_row[command.request_id])))
            continue
        first_row[command.request_id] = number
        commands.append(command)
        numbers.append(number)
    try:
        # with malformed rows the rest is still checked (a dry run), so every bad row is listed at once
        outcomes = ledger.execute_batch(commands, progress, dry_run=bool(problems))
    except BatchRefused as exc:
        problems += [(numbers[i], Message(N_("row {row} ({request_id}): {why}"), row=numbers[i],
                                          request_id=commands[i].request_id, why=why)) for i, why in exc.problems]
    if problems:
        raise ImportRefused([text for _, text in sorted(problems)], len(rows))
    recorded = [f"row {numbers[i]} ({commands[i].request_id}): {o.message}"
                for i, o in enumerate(outcomes) if not o.already_recorded]
    awarded = sum((o.data.get("amount", ZERO) for i, o in enumerate(outcomes)
                   if not o.already_recorded and isinstance(commands[i], AwardByRule)), ZERO)
    return Outcome(
        "",
        Message(N_("imported {count_recorded} of {count_rows} rows from {source_name} ({value} already recorded); awarded {awarded}"), count_recorded=len(recorded), count_rows=len(rows), source_name=source_name, value=len(outcomes) - len(recorded), awarded=fmt(awarded)),
        trace=recorded,
        data={"recorded": len(recorded), "skipped": len(outcomes) - len(recorded), "awarded": awarded,
              "rows": [{"row": numbers[i], "request_id": o.request_id, "kind": commands[i].kind,
                        "recorded": not o.already_recorded, "position": o.position, "message": o.message,
                        "data": {k: v for k, v in o.data.items() if k != "order"}}
                       for i, o in enumerate(outcomes)]},
        warnings=[w for o in outcomes for w in o.warnings],  # a due checkpoint that could not be made
    )
