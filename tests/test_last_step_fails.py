"""Exit 1 always means nothing was written: every writing command, run while the database
refuses the final insert (a trigger on the event table, and on the checkpoint table), exits 1
with one line and leaves the ledger, the checkpoints and the key files as they were; run again
without the trigger it succeeds, so it was the last step that failed (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from click.testing import CliRunner, Result

import cli
from ledger.handlers.officers import keygen
from ledger.infra.keys import KeyStore
from tests.builders import writing_commands
from tests.conftest import APPROVER, KEY_PASSPHRASE, OFFICER

SQLITE_TABLES = ("stored_events", "jcg_checkpoints")
POSTGRES_TABLES = ("jcg_events", "jcg_checkpoints")
# every command that writes, read from the CLI (`policy calc` only computes)
WRITING = {path for path, _ in writing_commands()} - {("policy", "calc")}
IMPORT_CSV = ("request_id,action,clause,recipient,basis,amount,decided,ref,reason,source,award,voucher,matter\n"
              "imp-1,award,P6.3b,E1,vouchers=500;voucher=Q-1,,2025-03-02,临科发〔2025〕20号,,,,,\n"
              "imp-2,award,P6.3b,E1,vouchers=700;voucher=Q-2,,2025-03-02,临科发〔2025〕20号,,,,,\n")


class Database:
    """Counts what is stored, and arms or disarms the failing trigger."""

    def __init__(self, url: str):
        self.url = url
        self.pg = url.startswith("postgresql")
        self.schema = url.rsplit("schema=", 1)[1] if self.pg else ""
        self.tables = POSTGRES_TABLES if self.pg else SQLITE_TABLES
        self._conn: psycopg.Connection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def _run(self, sql: str) -> list[tuple[object, ...]]:
        if self.pg:
            if self._conn is None:
                self._conn = psycopg.connect(self.url.split("?")[0], autocommit=True)
            cur = self._conn.execute(sql)
            return cur.fetchall() if cur.description else []
        conn = sqlite3.connect(self.url[len("sqlite:///"):])
        try:
            rows = conn.execute(sql).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def _table(self, name: str) -> str:
        return f'"{self.schema}".{name}' if self.pg else name

    def _exists(self, name: str) -> bool:
        if self.pg:
            return bool(self._run(f"SELECT 1 FROM pg_tables WHERE schemaname = '{self.schema}' AND tablename = '{name}'"))
        return bool(self._run(f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{name}'"))

    def stored(self) -> dict[str, int]:
        return {t: int(self._run(f"SELECT count(*) FROM {self._table(t)}")[0][0]) for t in self.tables if self._exists(t)}

    def arm(self, disk_full: bool = True) -> None:
        """``disk_full``: on PostgreSQL, refuse as a full disk does (an operational error, which
        the library's recorder tries 10 times, 0.2 s apart, before it gives up); else with a plain
        exception of the trigger (refused at once)."""
        refusal = ("'could not extend file: No space left on device' USING ERRCODE = '53100'" if disk_full
                   else "'the write was refused' USING ERRCODE = 'P0001'")
        for t in self.tables:
            if not self._exists(t):
                continue
            if self.pg:
                self._run(f"CREATE OR REPLACE FUNCTION \"{self.schema}\".jcg_fail() RETURNS trigger AS $$ BEGIN "
                          f"RAISE EXCEPTION {refusal}; END $$ LANGUAGE plpgsql")
                self._run(f"CREATE TRIGGER jcg_fail_{t} BEFORE INSERT ON {self._table(t)} FOR EACH ROW "
                          f"EXECUTE FUNCTION \"{self.schema}\".jcg_fail()")
            else:
                # an operational error (as a full disk gives), not a constraint: RAISE() would be
                # taken for a conflict and retried, which is right for a conflict but slow here
                self._run(f"CREATE TRIGGER jcg_fail_{t} BEFORE INSERT ON {t} BEGIN "
                          "INSERT INTO jcg_disk_is_full VALUES (1); END")

    def disarm(self) -> None:
        for t in self.tables:
            if self._exists(t):
                self._run(f"DROP TRIGGER IF EXISTS jcg_fail_{t} ON {self._table(t)}" if self.pg
                          else f"DROP TRIGGER IF EXISTS jcg_fail_{t}")


def files(folder: Path) -> dict[str, bytes]:
    """Key files and outputs (the SQLite database itself is counted by rows)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("ledger.sqlite")}


def test_every_writing_command_writes_nothing_when_its_last_step_fails(provisioned_url: str, key_dir: Path,
                                                                       tmp_path: Path) -> None:
    db = Database(provisioned_url)
    runner = CliRunner()
    li_public = keygen(KeyStore(key_dir, KEY_PASSPHRASE), "li")  # li's and wang's own keys; one folder in tests
    wang_public = keygen(KeyStore(key_dir, KEY_PASSPHRASE), "wang")
    (tmp_path / "rows.csv").write_text(IMPORT_CSV, encoding="utf-8")

    def jcg(*args: str, officer: str = OFFICER) -> Result:
        return runner.invoke(cli.main, ["--db", provisioned_url, "--officer", officer, *args])

    ap = {"officer": APPROVER}

    def approved(code: str, decided: str, *extra: str, pay: bool = True) -> list[tuple[tuple[str, ...], dict[str, str]]]:
        """A project approved by wang (so approver-1 may post its tranche), and its tranche paid."""
        steps = [(("project", "approve", code, "--title", "中试", "--enterprise", "E1", "--fund", "F-SEED", "--amount",
                   "100万", "--trigger", "date", "--trigger-on", "2025-12-31", "--pricing", "fixed", "--pre-money",
                   "1200万", "--max-stake", "25%", *extra, "--decided", decided, "--ref", "临科发〔2025〕6号"),
                  {"officer": "wang"})]
        if pay:
            steps += [(("project", "disburse", code, "--amount", "100万", "--voucher", f"付-{code}",
                        "--decided", "2025-02-01"), {}),
                      (("payment", "post", f"付-{code}", "--source", "市财政", "--decided", "2025-02-02"), ap)]
        return steps

    steps: list[tuple[tuple[str, ...], dict[str, str]]] = [
        (("party", "register", "E1", "--name", "甲公司", "--kind", "enterprise", "--entered", "2024-12-01",
          "--decided", "2025-01-02"), {}),
        (("party", "register", "BANK-1", "--name", "银行", "--kind", "bank", "--entered", "2024-12-01",
          "--decided", "2025-01-02"), {}),
        (("grant", "award", "P6.3b", "--recipient", "E1", "--basis", "vouchers=1000", "--basis", "voucher=Q-0", "--decided", "2025-03-01",
          "--ref", "临科发〔2025〕1号"), {}),
        (("grant", "disburse", "E1-A1", "--amount", "1000", "--decided", "2025-03-10", "--voucher", "付-1"), {}),
        (("payment", "post", "付-1", "--source", "市财政", "--decided", "2025-03-11"), ap),
        (("grant", "claw-back", "E1-A1", "--amount", "100", "--reason", "考核不合格", "--decided", "2025-04-01",
          "--ref", "临科发〔2025〕2号"), {}),
        (("grant", "import", str(tmp_path / "rows.csv")), {}),
        (("fund", "register", "F-SEED", "--name", "基金", "--capital", "5000万", "--decided", "2024-12-01"), {}),
        (("captable", "register", "E1", "--holder", "张三=300万", "--decided", "2024-12-02"), {}),
        (("officer", "add", "li", "--role", "officer", "--public-key", li_public), ap),
        (("officer", "role", "li", "--role", "approver"), ap),  # the second approver: at once
        (("project", "approve", "PJ-1", "--title", "中试", "--enterprise", "E1", "--fund", "F-SEED", "--amount",
          "300万", "--trigger", "date", "--trigger-on", "2025-12-31", "--pricing", "fixed", "--pre-money", "1200万",
          "--max-stake", "25%", "--exit", "interest", "--exit-rate", "4%", "--window-from", "1", "--decided",
          "2025-01-10", "--ref", "临科发〔2025〕5号"), {"officer": "li"}),  # li approves, so approver-1 may pay
        (("project", "disburse", "PJ-1", "--amount", "150万", "--voucher", "付-2", "--decided", "2025-02-01"), {}),
        (("payment", "post", "付-2", "--source", "市财政", "--decided", "2025-02-02"), ap),
        (("loan", "enrol", "L1", "--bank", "BANK-1", "--borrower", "E1", "--category", "P5.6a", "--principal", "50万",
          "--start", "2025-01-10", "--term", "24", "--decided", "2025-01-08"), {}),
        (("loan", "disburse", "L1", "--amount", "500,000.00", "--decided", "2025-01-10"), {}),
        (("party", "qualify", "E1", "高新技术企业", "--level", "national", "--granted", "2024-12-20", "--expires",
          "2027-12-19", "--decided", "2025-01-05", "--ref", "国科火字〔2024〕1号"), {}),
        (("grant", "external", "P6.7", "--recipient", "E1", "--matter", "P6.7:ZL202310001", "--amount", "5万",
          "--source", "省级晋创谷政策", "--decided", "2025-04-01", "--ref", "晋科发〔2025〕8号"), {}),
        (("fund", "invest", "F-SEED", "--enterprise", "E1", "--amount", "200万", "--units", "50万", "--decided",
          "2025-05-01"), {}),
        (("loan", "repay", "L1", "--amount", "166,666.67", "--receipt", "回-1", "--decided", "2025-07-10"), {}),
        (("loan", "default", "L1", "--reason", "逾期90天", "--decided", "2025-10-10"), {}),
        (("loan", "default", "L1", "--loss", "333,333.33", "--decided", "2026-03-01"), {}),
        (("loan", "claim", "L1", "--decided", "2026-03-10"), {}),
        (("loan", "approve", "L1", "--decided", "2026-03-20", "--ref", "临财金〔2026〕9号"), ap),
        (("loan", "pay", "L1", "--payer", "省财政", "--decided", "2026-04-01", "--voucher", "付-3"), {}),
        (("payment", "post", "付-3", "--source", "省财政", "--decided", "2026-04-01"), ap),
        (("loan", "pay", "L1", "--payer", "市财政", "--decided", "2026-04-02", "--voucher", "付-4"), {}),
        (("payment", "post", "付-4", "--source", "市财政", "--decided", "2026-04-02"), ap),
        (("loan", "recover", "L1", "--amount", "10,000.01", "--receipt", "回-2", "--decided", "2026-09-01"), {}),
        # corrections of the loan's steps, latest first: the recovery, the payments, then the claim
        (("payment", "reverse", "回-2", "--source", "BANK-1", "--reason", "重复录入", "--decided", "2026-09-02",
          "--ref", "临财金〔2026〕11号"), ap),
        (("payment", "reverse", "付-4", "--source", "市财政", "--reason", "重复录入", "--decided", "2026-09-02",
          "--ref", "临财金〔2026〕12号"), ap),
        (("payment", "reverse", "付-3", "--source", "省财政", "--reason", "重复录入", "--decided", "2026-09-02",
          "--ref", "临财金〔2026〕13号"), ap),
        (("loan", "withdraw-claim", "L1", "--reason", "损失金额录入错误", "--decided", "2026-09-03",
          "--ref", "临财金〔2026〕14号"), ap),
        (("officer", "add", "wang", "--role", "approver", "--public-key", wang_public), ap),  # pending
        (("officer", "withdraw", "wang"), {"officer": "li"}),
        (("officer", "add", "wang", "--role", "approver", "--public-key", wang_public), ap),
        (("officer", "confirm", "wang"), {"officer": "li"}),
        (("officer", "revoke", "li", "--reason", "调离"), ap),
        (("officer", "rotate", OFFICER), {}),
        (("audit", "checkpoint"), {}),  # the first: registers the ledger key
        (("party", "register", "E2", "--name", "乙公司", "--kind", "enterprise", "--entered", "2024-12-01",
          "--decided", "2025-01-02"), {}),
        (("audit", "checkpoint", "--out", str(tmp_path / "cp.txt")), {}),  # a stored checkpoint row
        # corrections and qualifications
        (("party", "expire", "E1", "高新技术企业", "--level", "national", "--ended", "2026-01-01",
          "--decided", "2026-01-02"), {}),
        (("grant", "void", "E1-A2", "--reason", "录入错误", "--decided", "2025-04-01", "--ref", "临科发〔2025〕30号"), {}),
        (("grant", "amend", "E1-A3", "--correction", "券面额多录", "--basis", "vouchers=600", "--basis", "voucher=Q-3",
          "--decided", "2025-04-02", "--ref", "临科发〔2025〕31号"), {}),
        (("grant", "disburse", "E1-A4", "--amount", "100", "--decided", "2025-04-10", "--voucher", "付-5"), {}),
        (("payment", "void", "付-5", "--source", "市财政", "--reason", "金额有误", "--decided", "2025-04-11"), ap),
        (("policy", "revise", "P2.3b", "ratio", "1%", "--valid-from", "2028-07-01", "--quote", "技术经纪人奖励按交易额的1%",
          "--decided", "2028-06-20", "--ref", "临科发〔2028〕30号"), ap),
        (("fund", "fail-investment", "F-SEED", "--lot", "F-SEED:E1:2025-05-01", "--reason", "技术路线失败",
          "--decided", "2026-03-01"), {}),
        # the project's life: trigger, conversion, buyback (an order, posted), sale
        (("project", "trigger", "PJ-1", "--decided", "2026-01-05"), {}),
        (("project", "convert", "PJ-1", "--decided", "2026-01-05"), {}),
        (("project", "buyback", "PJ-1", "--buyer", "张三", "--units", "30万", "--receipt", "基金收-1",
          "--decided", "2028-01-05"), {}),
        (("payment", "post", "基金收-1", "--source", "F-SEED", "--decided", "2028-01-05"), ap),
        (("project", "sell", "PJ-1", "--buyer", "HS", "--buyer-name", "红杉中国", "--price", "50万",
          "--decided", "2028-02-01"), {}),
        # a project converted into debt: repayment, then write-off
        *approved("PJ-2", "2025-01-11", "--debt-rate", "5%", "--debt-years", "3"),
        (("project", "trigger", "PJ-2", "--decided", "2026-01-05"), {}),
        (("project", "convert", "PJ-2", "--into", "debt", "--decided", "2026-01-05"), {}),
        (("project", "repay", "PJ-2", "--amount", "10万", "--decided", "2027-01-05"), {}),
        (("project", "write-off", "PJ-2", "--reason", "企业破产清算", "--decided", "2028-01-05"), {}),
        # a failed project; a finished one whose unspent money goes to another
        *approved("PJ-3", "2025-01-12"),
        (("project", "fail", "PJ-3", "--reason", "技术路线失败", "--decided", "2026-09-01",
          "--ref", "临科发〔2026〕20号"), {}),
        *approved("PJ-4", "2025-01-13", "--clause", "P2.2"),
        (("project", "finish", "PJ-4", "--spent", "0", "--decided", "2025-11-20", "--ref", "临科验〔2025〕3号"), {}),
        *approved("PJ-5", "2025-01-14", "--clause", "P6.1", pay=False),
        (("project", "reassign", "PJ-4", "--to", "PJ-5", "--amount", "30万", "--decided", "2025-12-01"), {}),
    ]
    covered = {args[:2] for args, _ in steps}
    assert covered == WRITING, f"writing commands without a step: {sorted(WRITING - covered)}"
    # the first few commands meet a full disk; the others a refusal the recorder does not retry
    # (a full disk costs each command ~2 s of the recorder's retries on PostgreSQL: 2.5 min in all)
    for i, (args, kw) in enumerate(steps):
        name = " ".join(args[:2])
        before, kept = db.stored(), files(tmp_path)
        db.arm(disk_full=i < 3)
        try:
            r = jcg(*args, **kw)
        finally:
            db.disarm()
        assert r.exit_code == 1, f"{name}: {r.output}"
        assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, f"{name}: {r.output}"
        assert db.stored() == before, f"{name} stored something"
        assert files(tmp_path) == kept, f"{name} changed files"
        r = jcg(*args, **kw)
        assert r.exit_code == 0, f"{name} without the trigger: {r.output}"
    db.close()

