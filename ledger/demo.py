"""The worked example `jcg demo` runs on a new ledger: each step printed as recorded."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.errors import Refused
from domain.messages import N_, Message
from ledger.application import Ledger
from ledger.commands import Command
from ledger.handlers.grants import ClawBack, Disburse, VoidAward
from ledger.handlers.parties import GrantQualification, RegisterParty
from ledger.handlers.payments import PostPayment
from ledger.handlers.rules import AwardByRule
from ledger.infra.clock import FixedClock
from ledger.infra.config import NoLedger, check_ledger_exists, parse_database

OFFICER = "demo-officer"
# files the P5.6 claim and records the payment orders that OFFICER approves and posts (two people)
SECOND_APPROVER = "demo-approver"
# The demo's story runs to 2028; its ledger's clock reads a day after the story's last step, so
# no step is a future-dated decision (the ledger refuses those) and every run prints the same.
DEMO_TODAY = datetime(2028, 6, 30, 1, 0, tzinfo=UTC)


_HOLDS_DATA = N_("{url} already holds data the demo did not make: the demo writes only to a new database "
                 "(choose another --db)")


def prepare_demo_database(url: str) -> None:
    """Make sure the demo writes over nothing it did not make: a new database is used as it is,
    a SQLite ledger made by an earlier demo (only the demo's officers ever wrote to it) is
    started anew, and anything else (a live ledger, a file that is not a ledger, a PostgreSQL
    ledger) is refused, changing nothing."""
    db = parse_database(url)
    try:
        if db.kind == "sqlite" and (not os.path.exists(db.path) or os.path.getsize(db.path) == 0):
            _remove_sqlite(db.path)
            return
        check_ledger_exists(db)
    except NoLedger:
        if db.kind == "sqlite":  # a file, but not a ledger: not the demo's to delete
            raise Refused(_HOLDS_DATA, url=url) from None
        return  # an empty PostgreSQL database or schema
    if db.kind != "sqlite" or not _made_by_demo(url):
        raise Refused(_HOLDS_DATA, url=url)
    _remove_sqlite(db.path)


def _made_by_demo(url: str) -> bool:
    """True when the only officers the ledger ever knew are the demo's (every write is signed
    by a registered officer, so nobody else wrote to it)."""
    from eventsourcing.application import AggregateNotFoundError

    from domain.officer import ROSTER_ID, OfficerRoster

    ledger = Ledger.open(url)
    try:
        try:
            roster: OfficerRoster = ledger.repository.get(ROSTER_ID)
        except AggregateNotFoundError:
            return next(iter(ledger.read_log()), None) is None
        return set(roster.officers) <= {OFFICER, SECOND_APPROVER}
    except (ValueError, LookupError):  # unreadable (encrypted) events: not known to be the demo's
        return False
    finally:
        ledger.close()


def _remove_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def run_demo(ledger: Ledger, echo: Callable[[str], None],
             show: Callable[[str, str, date], list[str]] | None = None) -> None:
    """``show(what, code, day)``: the read side's text for a "fund" or a "captable" on a day,
    or the journal's "balances" (given by the command line, which owns the views; without it
    those lines are left out)."""

    def do(command: Command) -> None:
        outcome = ledger.execute(command)
        echo(Message("- {message}", message=outcome.message) if isinstance(outcome.message, Message)
             else "- " + outcome.message)  # text (a stored trace, a built line): translated as text
        for line in outcome.trace:
            echo(Message("    {line}", line=line) if isinstance(line, Message) else "    " + line)
        if outcome.data.get("status") == "pending" and not outcome.already_recorded:
            # two people on every payment: OFFICER posts (已拨付) the order SECOND_APPROVER recorded
            do(PostPayment(actor=OFFICER, decided=command.decided, source=outcome.data["source"],
                           reference=outcome.data["payment"]))

    def on(day: str, **kw: object) -> dict[str, Any]:
        return {"actor": OFFICER, "decided": date.fromisoformat(day), **kw}

    def pay(day: str, **kw: object) -> dict[str, object]:
        """Recorded by SECOND_APPROVER: a payment order (待审核) for OFFICER to post, or a project's
        approval (so OFFICER, who neither approved it nor recorded its tranche, posts the tranche)."""
        return {**on(day, **kw), "actor": SECOND_APPROVER}

    ledger.clock = FixedClock(DEMO_TODAY)
    with tempfile.TemporaryDirectory(prefix="jcg-demo-keys-") as keys:
        seal_demo_ledger(ledger, echo, keys)
        from ledger.handlers.officers import enrol

        second = enrol(ledger, SECOND_APPROVER, "approver", actor=OFFICER, decided=date(2024, 11, 5))
        echo(Message(N_("- {message} (a second approver: records payment orders and files the P5.6 claim, which "
                        "{officer} posts and approves: two people)"), message=second.message, officer=OFFICER))
        _chapters(ledger, echo, do, on, pay, show)
        audit_demo_ledger(ledger, echo)


def _chapters(ledger: Ledger, echo: Callable[[str], None], do: Callable[[Command], None],
              on: Callable[..., dict[str, Any]], pay: Callable[..., dict[str, Any]],
              show: Callable[[str, str, date], list[str]] | None) -> None:
    echo(Message(N_("== parties ==")))
    do(RegisterParty(code="U-SXNU", name="山西师范大学", party_kind="university",
                     entered=date(2024, 11, 20), **on("2024-11-20")))
    do(RegisterParty(code="ENT-001", name="临汾光电科技有限公司", party_kind="enterprise",
                     entered=date(2024, 12, 1), **on("2024-12-01")))
    do(GrantQualification(code="ENT-001", qualification="高新技术企业", level="national",
                          granted_on=date(2024, 12, 20), expires_on=date(2027, 12, 19),
                          **on("2025-01-05", ref="国科火字〔2024〕210号")))

    echo(Message(N_("== awards and disbursements ==")))
    # every amount is computed by the rules engine from its basis, with the trace printed
    do(AwardByRule(recipient="U-SXNU", clause="P2.4",
                   basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012",
                          "registered_on": "2025-02-18", "counterparty": "ENT-001"},
                   **on("2025-03-01", ref="临科发〔2025〕12号")))
    # P6.5a: the 高新技术企业 qualification above was granted in 2024, the year before the decision
    do(AwardByRule(recipient="ENT-001", clause="P6.5a", **on("2025-04-10", ref="临财教〔2025〕8号")))
    do(Disburse(recipient="U-SXNU", award="U-SXNU-A1", amount=Decimal("153086.42"),
                voucher="付-2025-0311", **pay("2025-03-11")))
    do(Disburse(recipient="ENT-001", award="ENT-001-A1", amount=Decimal("100000.00"),
                voucher="付-2025-0420", **pay("2025-04-20")))
    echo(Message(N_("== a retry and a correction ==")))
    # the same voucher sent again (a retry without its request id) is answered, nothing written
    do(Disburse(recipient="ENT-001", award="ENT-001-A1", amount=Decimal("100000.00"),
                voucher="付-2025-0420", **pay("2025-04-20")))
    # an award recorded in error is voided (its unpaid part): cap usage and budget commitment released
    do(AwardByRule(recipient="U-SXNU", clause="P2.4", basis={"contract_value": "1,000,000", "contract": "2025-140801-0013",
                                                             "registered_on": "2025-04-22", "counterparty": "ENT-001"},
                   **on("2025-05-06", ref="临科发〔2025〕14号")))
    do(VoidAward(recipient="U-SXNU", award="U-SXNU-A2", reason="合同已在省级政策下获奖, 重复录入",
                 **on("2025-05-08", ref="临科发〔2025〕15号")))

    echo(Message(N_("== a clawback (追回) ==")))
    do(ClawBack(recipient="ENT-001", award="ENT-001-A1", amount=Decimal("20000.00"),
                reason="绩效考核不合格,部分追回", **on("2026-02-15", ref="临科发〔2026〕3号")))

    echo(Message(N_("== loan-loss compensation (P5.6) ==")))
    from ledger.handlers import loans

    do(RegisterParty(code="BANK-JS", name="晋商银行临汾分行", party_kind="bank",
                     entered=date(2024, 11, 6), **on("2024-11-06")))
    do(loans.EnrolLoan(code="L-2025-001", bank="BANK-JS", borrower="ENT-001", category="P5.6a",
                       principal=Decimal("500000.00"), start=date(2025, 1, 10), term_months=24,
                       **on("2025-01-08")))
    do(loans.DisburseLoan(code="L-2025-001", amount=Decimal("500000.00"), **on("2025-01-10")))
    do(loans.RepayLoan(code="L-2025-001", amount=Decimal("166666.67"), receipt="晋商回-2025-0710",
                       **on("2025-07-10")))
    do(loans.ClassifyNonPerforming(code="L-2025-001", reason="逾期90天", **on("2025-10-10")))
    do(loans.DeclareLoss(code="L-2025-001", loss=Decimal("333333.33"), **on("2026-03-01", ref="晋商临〔2026〕5号")))
    # two people: the claim is filed by one approver and approved by another, never by the one who
    # filed it nor by an identity the filer registered (so the approver registered second files it)
    do(loans.ClaimCompensation(code="L-2025-001", **{**on("2026-03-10"), "actor": SECOND_APPROVER}))
    do(loans.ApproveCompensation(code="L-2025-001", **on("2026-03-20", ref="临财金〔2026〕9号")))
    do(loans.PayCompensation(code="L-2025-001", payer="省财政", voucher="省付-2026-07", **pay("2026-04-01")))
    do(loans.PayCompensation(code="L-2025-001", payer="市财政", voucher="付-2026-0402", **pay("2026-04-02")))
    do(loans.RecordRecovery(code="L-2025-001", amount=Decimal("10000.01"), receipt="晋商回-2026-0901",
                            **on("2026-09-01")))

    echo(Message(N_("== 拨投结合: a project grant converted to equity, bought back; a failed project (P2.2, P5.8) ==")))
    from ledger.handlers.funds import RegisterFund
    from ledger.handlers.projects import (
        ApproveProject,
        BuyBack,
        ConvertProject,
        FailProject,
        PayTranche,
        RecordTrigger,
        RegisterHolders,
    )

    do(RegisterFund(code="F-SEED", name="临汾市天使投资基金", manager="市创业投资基金管理公司",
                    capital=Decimal("50000000.00"), **on("2024-12-01", ref="临财金〔2024〕30号")))
    do(RegisterHolders(enterprise="ENT-001", holders=(("张三", "张三", Decimal("3000000.00")),
                                                      ("李四", "李四", Decimal("2000000.00"))),
                       **on("2024-12-02")))
    do(ApproveProject(code="PJ-LASER", title="高功率激光器中试", enterprise="ENT-001", fund="F-SEED",
                      amount=Decimal("3000000.00"), trigger="date", trigger_on=date(2025, 12, 31),
                      pricing="fixed", pre_money=Decimal("12000000.00"), max_stake="25%",
                      exit_formula="interest", exit_rate="4%", window_from_years=1, window_until_years=5,
                      **pay("2025-01-10", ref="临科发〔2025〕5号")))
    do(PayTranche(project="PJ-LASER", amount=Decimal("1500000.00"), voucher="付-2025-0201", **pay("2025-02-01")))
    do(PayTranche(project="PJ-LASER", amount=Decimal("1500000.00"), voucher="付-2025-0801", **pay("2025-08-01")))
    do(RecordTrigger(project="PJ-LASER", **on("2026-01-05")))
    do(ConvertProject(project="PJ-LASER", **on("2026-01-05", ref="临科发〔2026〕1号")))
    for line in show("captable", "ENT-001", date(2026, 1, 5)) if show else ():
        echo(Message("    {line}", line=line))
    do(BuyBack(project="PJ-LASER", buyer="张三", receipt="基金收-2028-0105", **pay("2028-01-05", ref="临科发〔2028〕2号")))
    do(ApproveProject(code="PJ-CELL", title="固态电池材料", enterprise="ENT-001", fund="F-SEED",
                      amount=Decimal("800000.00"), trigger="financing", pricing="round", max_stake="20%",
                      **pay("2025-03-01", ref="临科发〔2025〕9号")))
    do(PayTranche(project="PJ-CELL", amount=Decimal("500000.00"), voucher="付-2025-0315", **pay("2025-03-15")))
    do(FailProject(project="PJ-CELL", reason="技术路线失败, 尽职调查完备, 无违规", **on("2026-09-01",
                   ref="临科发〔2026〕20号")))
    for line in show("fund", "F-SEED", date(2028, 1, 5)) if show else ():
        echo(Message("    {line}", line=line))

    echo(Message(N_("== balances (from the journal) ==")))
    for line in show("balances", "", date(2028, 12, 31)) if show else ():
        echo(Message("{line}", line=line))


def seal_demo_ledger(ledger: Ledger, echo: Callable[[str], None], keys: str) -> None:
    """The demo officer registers first, so every request of the demo is signed; its key (and
    the ledger's checkpoint key) live in a throwaway directory, never in ./keys."""
    import secrets

    from ledger.handlers.officers import enrol
    from ledger.infra.keys import Keyring, KeyStore

    ledger.keyring = Keyring(KeyStore(keys, secrets.token_urlsafe(16)))
    echo(Message(N_("== officers ==")))
    outcome = enrol(ledger, OFFICER, "approver", decided=date(2024, 11, 5))
    echo(Message(N_("- {message} (a throwaway key for this run of the demo)"), message=outcome.message))


def audit_demo_ledger(ledger: Ledger, echo: Callable[[str], None]) -> None:
    """Sign a checkpoint and verify the whole history as an auditor would."""
    from ledger.audit.checkpoint import parse
    from ledger.audit.checkpointing import write_checkpoint
    from ledger.audit.verify import verify_ledger

    echo(Message(N_("== audit: checkpoint and verification ==")))
    checkpoint, _ = parse(write_checkpoint(ledger, OFFICER).row.note)
    echo(Message(N_("- checkpoint signed: {size} events, root {hex}"), size=checkpoint.size, hex=checkpoint.root.hex()))
    report = verify_ledger(ledger)
    echo(Message(N_("- audit verify: {events} events, {signatures} of {requests} signatures valid, {money_events} journal entries balanced: {value}"), events=report.events, signatures=report.signatures, requests=report.requests, money_events=report.money_events, value=Message(N_('passed')) if report.ok else Message(N_('FAILED'))))
    for problem in report.problems:
        echo(Message("    {problem}", problem=problem))
