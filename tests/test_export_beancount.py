"""The journal as a Beancount ledger: `bean-check` accepts the export of the demo ledger and of a
ledger with every money operation, its year-end balance assertions (jcg's read model) agree with
its transactions, and every account balance equals `jcg report balances`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import account as bean_account
from beancount.core.data import Open, Transaction
from click.testing import CliRunner

import cli
import i18n
from domain import journal
from ledger import Ledger
from ledger.demo import run_demo
from ledger.handlers.funds import InvestDirect
from ledger.handlers.grants import ClawBack, VoidAward
from ledger.handlers.loans import (
    ApproveCompensation,
    ClaimCompensation,
    ClassifyNonPerforming,
    DeclareLoss,
    DisburseLoan,
    EnrolLoan,
    PayCompensation,
    RecordRecovery,
    RepayLoan,
    WithdrawClaim,
)
from ledger.handlers.payments import ReversePayment
from ledger.handlers.projects import ApproveProject, ConvertProject, PayTranche, RecordTrigger, RepayDebt
from ledger.handlers.rules import AwardByRule
from projections.beancount import export_beancount
from tests.builders import on, record_lifecycles
from tests.conftest import APPROVER, fixed_clock
from tests.posting import paid, second_approver

D = Decimal
BEAN_CHECK = Path(sys.executable).with_name("bean-check")


def chinese(message: object) -> str:
    return message.render(i18n.translations("zh").gettext)  # type: ignore[attr-defined]  # the refusal's message is a Message, typed as str


def bean_check(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "ledger.beancount"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, check=False)


def exported_balances(text: str) -> dict[str, Decimal]:
    """{jcg account: balance} as Beancount itself sums the export's transactions."""
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    jcg_name = {e.account: e.meta["jcg-account"] for e in entries if isinstance(e, Open)}
    totals: dict[str, Decimal] = {}
    for e in entries:
        if isinstance(e, Transaction):
            for p in e.postings:
                totals[jcg_name[p.account]] = totals.get(jcg_name[p.account], D(0)) + p.units.number
    return {a: v for a, v in totals.items() if v != 0}


def reported_balances(url: str, *args: str) -> dict[str, Decimal]:
    r = CliRunner().invoke(cli.main, ["--db", url, "report", "balances", "--format", "json", *args])
    assert r.exit_code == 0, r.output
    return {row["account"]: D(row["debit"]) - D(row["credit"]) for row in json.loads(r.stdout)["rows"]}


def every_operation(ledger: Ledger) -> None:
    """Every lifecycle of the read-model tests, plus the money operations they leave out: a
    clawback in a later year, a direct fund investment and a debt repayment."""
    record_lifecycles(ledger)
    ledger.execute(ClawBack(recipient="U1", award="U1-A1", amount=D("10000.00"), reason="绩效不合格",
                            **on("2026-03-01", ref="临科发〔2026〕30号")))
    ledger.execute(AwardByRule(recipient="U1", clause="P2.4", basis={"contract_value": "1000000", "contract": "HT-V", "registered_on": "2024-11-01", "counterparty": "E1"},
                               **on("2026-03-02", ref="临科发〔2026〕31号")))  # recorded in error, then voided
    ledger.execute(VoidAward(recipient="U1", award="U1-A2", reason="重复录入", **on("2026-03-03", ref="临科发〔2026〕32号")))
    ledger.execute(InvestDirect(fund="F-SEED", enterprise="ENT-2", amount=D("200000.00"), units=D("50000.00"),
                                **on("2027-06-01", ref="临财金〔2027〕7号")))
    ledger.execute(ApproveProject(
        code="PJ-7", title="项目PJ-7", clause="P2.2", enterprise="ENT-1", fund="F-SEED", amount=D("600000.00"),
        trigger="date", trigger_on=date(2025, 12, 31), pricing="fixed", pre_money=D("12000000.00"),
        max_stake="25%", exit_formula="interest", exit_rate="4%", window_from_years=1, window_until_years=5,
        debt_rate="5%", debt_years=3, **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕7号")))
    paid(ledger, PayTranche(project="PJ-7", amount=D("600000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-7", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-7", into="debt", **on("2026-01-05", ref="临科发〔2026〕7号")))
    ledger.execute(RepayDebt(project="PJ-7", amount=D("100000.00"), **on("2027-01-05", ref="还款-7")))
    corrections(ledger)


def corrections(ledger: Ledger) -> None:
    """Steps recorded in error and reversed (红字冲销): a repayment, a claim (withdrawn once approved),
    a recovery, a compensation payment and a tranche."""
    def reverse(reference: str, source: str, day: str, actor: str = APPROVER) -> ReversePayment:
        return ReversePayment(source=source, reference=reference, reason="录入错误",
                              **on(day, actor=actor, ref=f"临财〔{day[:4]}〕冲{reference}号"))

    for command in (
        EnrolLoan(code="L9", bank="BANK-1", borrower="ENT-2", category="P5.6a", principal=D("300000"),
                  start=date(2025, 1, 10), term_months=24, **on("2025-01-08")),
        DisburseLoan(code="L9", amount=D("300000"), **on("2025-01-10")),
        RepayLoan(code="L9", amount=D("50000"), receipt="回-L9-1", **on("2025-03-10")),
        reverse("回-L9-1", "BANK-1", "2025-03-11"),
        RepayLoan(code="L9", amount=D("100000"), receipt="回-L9-2", **on("2025-04-10")),
        ClassifyNonPerforming(code="L9", reason="逾期", **on("2025-10-10")),
        DeclareLoss(code="L9", loss=D("200000"), **on("2026-03-01", ref="损-9")),
        ClaimCompensation(code="L9", **on("2026-03-10")),
        ApproveCompensation(code="L9", **on("2026-03-20", actor=APPROVER, ref="临财金〔2026〕19号")),
        WithdrawClaim(code="L9", reason="申请有误", **on("2026-03-21", actor=APPROVER, ref="临财金〔2026〕20号")),
        ClaimCompensation(code="L9", **on("2026-03-22")),
        ApproveCompensation(code="L9", **on("2026-03-23", actor=APPROVER, ref="临财金〔2026〕21号")),
        PayCompensation(code="L9", payer="省财政", voucher="L9-省-1", **on("2026-04-01")),
        PayCompensation(code="L9", payer="市财政", voucher="L9-市-1", **on("2026-04-01")),
        RecordRecovery(code="L9", amount=D("10000"), receipt="回-L9-3", **on("2026-05-01")),
        reverse("回-L9-3", "BANK-1", "2026-05-02"),
        reverse("L9-市-1", "市财政", "2026-05-03"),
        PayCompensation(code="L9", payer="市财政", voucher="L9-市-2", **on("2026-05-04")),
        ApproveProject(code="PJ-8", title="项目PJ-8", clause="P2.2", enterprise="ENT-1", fund="F-SEED",
                       amount=D("300000.00"), trigger="date", trigger_on=date(2025, 12, 31), pricing="fixed",
                       pre_money=D("12000000.00"), max_stake="25%", exit_formula="interest", exit_rate="4%",
                       window_from_years=1, window_until_years=5,
                       **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕8号")),
        PayTranche(project="PJ-8", amount=D("100000.00"), voucher="拨-8", **on("2025-02-01")),
    ):
        paid(ledger, command)
    ledger.execute(reverse("拨-8", "市财政", "2025-02-02", actor=second_approver(ledger)))


def test_the_demo_ledger_exports_to_a_ledger_bean_check_accepts(ledger_url: str, key_dir: Path,
                                                                  tmp_path: Path) -> None:
    app = Ledger.open(ledger_url, clock=fixed_clock())
    try:
        run_demo(app, lambda _: None)
        export = export_beancount(app, render=chinese)
    finally:
        app.close()
    done = bean_check(export.text, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert export.assertions > 0 and export.transactions > 0
    assert all(bean_account.is_valid(a) for a in export.accounts.values()), export.accounts
    assert len(set(export.accounts.values())) == len(export.accounts)  # one-to-one
    assert exported_balances(export.text) == reported_balances(ledger_url)
    assert "Liabilities:Payable:U-SXNU-山西师范大学" in export.text  # Chinese names where the ledger has them
    assert "依 P2.4 向 U-SXNU 山西师范大学 授予奖励 U-SXNU-A1" in export.text  # Chinese narration


@pytest.fixture
def everything(ledger: Ledger, provisioned_url: str) -> tuple[Ledger, str]:
    every_operation(ledger)
    return ledger, provisioned_url


def test_a_ledger_of_every_operation_exports_and_balances_equal_the_report(
        everything: tuple[Ledger, str], tmp_path: Path) -> None:
    ledger, url = everything
    export = export_beancount(ledger, render=chinese)
    done = bean_check(export.text, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert exported_balances(export.text) == reported_balances(url)
    entries, _, _ = loader.load_string(export.text)
    kinds = {e.meta["jcg-event"] for e in entries if isinstance(e, Transaction)}
    posting = {c.__qualname__ for c in journal.postings.registry if c is not object}
    silent = {"Project.Failed", "Project.Finished"}  # their journal entry is empty (cash basis)
    assert posting - silent <= kinds, sorted(posting - silent - kinds)
    award = next(e for e in entries if isinstance(e, Transaction) and e.meta["jcg-event"] == "Enterprise.AwardGranted")
    assert award.meta["clause"] == "P2.4" and award.meta["award"] == "U1-A1" and award.meta["wenhao"] == "临科发〔2025〕1号"
    assert award.meta["trace-1"].startswith("P2.4: 2% × 5,000,000.00 = 100,000.00")
    assert award.meta["request-id"] and award.meta["jcg-position"] > 0
    assert award.date == date(2025, 3, 1)  # the decision date


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_as_of_exports_what_was_decided_by_then(everything: tuple[Ledger, str], tmp_path: Path) -> None:
    ledger, url = everything
    export = export_beancount(ledger, as_of=date(2025, 12, 31), render=chinese)
    assert bean_check(export.text, tmp_path).returncode == 0
    assert exported_balances(export.text) == reported_balances(url, "--as-of", "2025-12-31")
    assert "\n2026-01-01 balance " in export.text


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_the_year_end_assertions_catch_an_edited_export(everything: tuple[Ledger, str], tmp_path: Path) -> None:
    ledger, _ = everything
    text = export_beancount(ledger, render=chinese).text
    edited = text.replace("  100000.00 CNY\n", "  100001.00 CNY\n", 1).replace("  -100000.00 CNY\n",
                                                                                  "  -100001.00 CNY\n", 1)
    assert edited != text
    done = bean_check(edited, tmp_path)
    assert done.returncode == 1 and "Balance failed" in done.stdout + done.stderr

