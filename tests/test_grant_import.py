"""`jcg grant import FILE.csv`: every row validated first, nothing written if any row is bad
(each bad row listed with its reason), progress on stderr, idempotent per row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from ledger import Ledger
from tests.conftest import APPROVER

Jcg = Callable[..., Result]
HEADER = "request_id,action,clause,recipient,basis,amount,decided,ref,reason,source,award,voucher,matter\n"
GOOD = [
    "imp-1,award,P2.4,U1,contract_value=20000000;contract=HT-1;registered_on=2024-11-01;counterparty=E1,,2025-03-01,临科发〔2025〕12号,,,,,\n",
    "imp-2,award,P2.4,U1,contract_value=7654321.09;contract=HT-2;registered_on=2024-11-01;counterparty=E1,,2025-03-02,临科发〔2025〕13号,,,,,\n",
    "imp-3,disburse,,,,100000,2025-03-10,,,,U1-A1,付-001,\n",
    "imp-4,external,P6.7,E1,,50000,2025-03-01,晋科发〔2025〕8号,,省级晋创谷政策,,,P6.7:ZL1\n",
    "imp-5,award,P6.7,E1,patent=ZL1;prize=china,,2025-03-05,临科发〔2025〕14号,,,,,\n",
    "imp-6,award,P4.1b,E1,station=doctoral;workstation=BS-1,15万,2025-03-05,临科发〔2025〕15号,,,,,\n",
]


def events(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return sum(1 for _ in ledger.read_log())
    finally:
        ledger.close()


def setup_parties(jcg: Jcg) -> None:
    for code, kind in (("U1", "university"), ("E1", "enterprise")):
        r = jcg("party", "register", code, "--name", f"{code} 名称", "--kind", kind, "--entered", "2024-12-01",
                "--decided", "2025-01-02")
        assert r.exit_code == 0, r.output


def write(tmp_path: Path, name: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def test_import_records_every_row_with_caps_across_rows(jcg: Jcg, tmp_path: Path, ledger_url: str) -> None:
    setup_parties(jcg)
    r = jcg("grant", "import", write(tmp_path, "awards.csv", GOOD))
    assert r.exit_code == 0, r.output + r.stderr
    assert "imported 6 of 6 rows from awards.csv (0 already recorded); awarded 700,000.00" in r.output
    # the second P2.4 row saw the first: the annual cap left 100,000
    assert "row 3 (imp-2): award U1-A2: 100,000.00" in r.output
    assert "row 6 (imp-5): award E1-A1: 50,000.00" in r.output  # G.3 after the external 50,000
    r = jcg("grant", "show", "U1")
    assert "total awarded 500,000.00, disbursed 0.00" in r.output  # an imported payment is an order (待审核)
    r = jcg("--officer", APPROVER, "payment", "post", "付-001", "--source", "市财政", "--decided", "2025-03-10")
    assert r.exit_code == 0, r.output + r.stderr
    r = jcg("grant", "show", "U1")
    assert "total awarded 500,000.00, disbursed 100,000.00" in r.output
    again = jcg("grant", "import", write(tmp_path, "again.csv", [GOOD[3].replace("imp-3", "imp-3-again")]))
    assert again.exit_code == 0 and "(1 already recorded)" in again.output, again.output  # the same voucher


def test_a_bad_row_writes_nothing_and_every_bad_row_is_listed(jcg: Jcg, tmp_path: Path, ledger_url: str) -> None:
    setup_parties(jcg)
    before = events(ledger_url)
    rows = [
        *GOOD[:2],
        "bad-1,award,P2.4,U1,contract_value=abc,,2025-03-01,R,,,,,\n",
        "bad-2,award,P2.4,NOPE,contract_value=100,,2025-03-01,R,,,,,\n",
        "bad-3,award,P2.4,U1,contract_value=100,,2029-01-01,R,,,,,\n",
        "bad-4,award,P4.1b,E1,station=doctoral;workstation=BS-1,300000,2025-03-01,R,,,,,\n",
        "bad-5,refund,P2.4,U1,,,2025-03-01,R,,,,,\n",
        "imp-1,award,P2.4,U1,contract_value=1,,2025-03-01,R,,,,,\n",
        "bad-6,award,P2.4,U1,contract_value=100;contract=HT-6;counterparty=E1,,2025-03-01,R,,,,,\n",
        "bad-7,award,P2.4,U1,contract_value=100;contract=HT-7;registered_on=2025-03-02;counterparty=E1,,2025-03-01,R,,,,,\n",
    ]
    r = jcg("grant", "import", write(tmp_path, "bad.csv", rows))
    assert r.exit_code == 1
    assert r.stderr == "error: 8 of 10 rows refused; nothing written\n"
    out = r.output
    assert "row 4 (bad-1): P2.4: basis contract_value='abc'" in out
    assert "row 5 (bad-2): party NOPE is not registered" in out
    assert "row 6 (bad-3): G.1: decision date 2029-01-01 is outside the policy window" in out
    assert "row 7 (bad-4): P4.1b: amount 300,000.00 exceeds the cap of 200,000" in out
    assert "row 8: action 'refund' is not one of award, disburse, external" in out
    assert "row 9: request id imp-1 repeats row 2" in out
    assert "row 10 (bad-6): P2.4: basis registered_on is required" in out  # the contract's registration
    assert "row 11 (bad-7): P2.4: contract HT-7 is registered on 2025-03-02, after the decision date 2025-03-01" in out
    assert events(ledger_url) == before


def test_import_is_idempotent_per_row(jcg: Jcg, tmp_path: Path, ledger_url: str) -> None:
    setup_parties(jcg)
    first = write(tmp_path, "a.csv", GOOD[:2])
    assert jcg("grant", "import", first).exit_code == 0
    after_first = events(ledger_url)
    r = jcg("grant", "import", first)
    assert r.exit_code == 0 and "already recorded" in r.output
    assert events(ledger_url) == after_first
    # a longer file with the same first rows: those are skipped, only the new rows are written
    r = jcg("grant", "import", write(tmp_path, "b.csv", GOOD[:3]))
    assert r.exit_code == 0, r.output + r.stderr
    assert "imported 1 of 3 rows from b.csv (2 already recorded)" in r.output
    # a row whose request id was used for different content is refused
    changed = GOOD[0].replace("20000000", "20000001")
    r = jcg("grant", "import", write(tmp_path, "c.csv", [changed]))
    assert r.exit_code == 1 and "row 2 (imp-1): request id imp-1 was already used for a different request" in r.output


def test_progress_on_long_files(jcg: Jcg, tmp_path: Path) -> None:
    setup_parties(jcg)
    rows = [f"p-{i},award,P6.3b,E1,vouchers=1000;voucher=Q-{i},,2025-03-01,临科发〔2025〕20号,,,,,\n" for i in range(40)]
    r = jcg("grant", "import", write(tmp_path, "long.csv", rows))
    assert r.exit_code == 0, r.output + r.stderr
    assert "validated 4/40 rows" in r.stderr and "validated 40/40 rows" in r.stderr
    assert "awarded 40,000.00" in r.output


def test_unknown_columns_and_empty_files_are_refused(jcg: Jcg, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("request_id,clauze\nr,P2.4\n", encoding="utf-8")
    r = jcg("grant", "import", str(path))
    assert r.exit_code == 1 and "unknown CSV column(s) clauze" in r.stderr
    path.write_text(HEADER, encoding="utf-8")
    r = jcg("grant", "import", str(path))
    assert r.exit_code == 1 and "the CSV has no rows" in r.stderr


def test_imported_rows_are_signed_requests_and_the_ledger_verifies(jcg: Jcg, tmp_path: Path, ledger_url: str) -> None:
    setup_parties(jcg)
    assert jcg("grant", "import", write(tmp_path, "awards.csv", GOOD)).exit_code == 0
    ledger = Ledger.open(ledger_url)
    try:
        records = [e for _, e in ledger.read_log() if type(e).__qualname__ == "RecordedRequest.Accepted"]
        imported = [r for r in records if r.request.startswith("imp-")]
        assert len(imported) == len(GOOD) and all(r.signature and r.key_id for r in imported)
    finally:
        ledger.close()
    r = jcg("audit", "verify")
    assert r.exit_code == 0, r.output + r.stderr
