"""Input that storage would refuse never reaches the log, on SQLite and PostgreSQL alike.

PostgreSQL refuses a value longer than its read-model column (varchar(n)) and a NUL byte;
SQLite takes both. An accepted value of that kind used to break every report, `audit replay`
and `audit trail` on PostgreSQL for good (the event can never be removed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from ledger import Ledger, application
from ledger.handlers.parties import RegisterParty
from tests.builders import on

Jcg = Callable[..., Result]
PARTY = ("--name", "高校", "--kind", "university", "--entered", "2024-12-01", "--decided", "2025-01-02")
READS = (("report", "balances"), ("report", "recipients"), ("report", "caps"), ("report", "budgets"),
         ("report", "funds"), ("report", "loans"), ("audit", "replay"), ("audit", "trail", "U1"))


def log_size(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        return max((position for position, _ in ledger.read_log()), default=0)
    finally:
        ledger.close()


def no_traceback(r: Result) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output + r.stderr


def refused_writing_nothing(jcg: Jcg, url: str, *args: str) -> Result:
    before = log_size(url)
    r = jcg(*args)
    no_traceback(r)
    assert r.exit_code in (1, 2), r.output + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert log_size(url) == before
    return r


def reads_still_work(jcg: Jcg) -> None:
    for args in READS:
        r = jcg(*args)
        no_traceback(r)
        assert r.exit_code == 0, (args, r.output, r.stderr)


def test_a_201_character_ref_is_refused(jcg: Jcg, ledger_url: str) -> None:
    r = refused_writing_nothing(jcg, ledger_url, "party", "register", "U1", *PARTY, "--ref", "临" * 201)
    assert "at most 100" in r.stderr
    r = jcg("party", "register", "U1", *PARTY, "--ref", "临" * 100)
    assert r.exit_code == 0, r.output + r.stderr
    reads_still_work(jcg)


def test_a_201_character_request_id_is_refused(jcg: Jcg, ledger_url: str) -> None:
    r = refused_writing_nothing(jcg, ledger_url, "party", "register", "U1", *PARTY, "--request-id", "r" * 201)
    assert "request id" in r.stderr
    r = jcg("party", "register", "U1", *PARTY, "--request-id", "r" * 128)
    assert r.exit_code == 0, r.output + r.stderr
    reads_still_work(jcg)


def test_a_300_character_party_code_is_refused(jcg: Jcg, ledger_url: str) -> None:
    refused_writing_nothing(jcg, ledger_url, "party", "register", "U" * 300, *PARTY)
    assert jcg("party", "register", "U1", *PARTY).exit_code == 0
    code = "山" * 64  # the longest code: its award ids and accounts still fit every column
    assert jcg("party", "register", code, *PARTY).exit_code == 0
    r = jcg("grant", "award", "P2.4", "--recipient", code, "--basis", "contract_value=1000000",
            "--basis", "contract=" + "H" * 100, "--basis", "registered_on=2024-11-01", "--basis", "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号")
    assert r.exit_code == 0, r.output + r.stderr
    reads_still_work(jcg)
    assert code in jcg("audit", "trail", f"{code}-A1").output


@pytest.mark.parametrize("value", ["U1\x00", "U1\u200b", "U1\u202e", "U1\n", " U1", "U1\ud800"],
                         ids=["nul", "zero-width", "bidi", "newline", "space", "surrogate"])
def test_codes_with_hidden_characters_are_refused(jcg: Jcg, ledger_url: str, value: str) -> None:
    refused_writing_nothing(jcg, ledger_url, "party", "register", value, *PARTY)


def test_a_nul_byte_in_a_csv_ref_is_refused(jcg: Jcg, ledger_url: str, tmp_path: Path) -> None:
    assert jcg("party", "register", "U1", *PARTY).exit_code == 0
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,decided,ref\n"
                   "r1,award,P2.4,U1,contract_value=1000000;contract=H1;registered_on=2024-11-01;counterparty=E1,2025-03-01,临科发\x00〔2025〕1号\n",
                   encoding="utf-8")
    r = refused_writing_nothing(jcg, ledger_url, "grant", "import", str(csv))
    assert "row 2" in r.output + r.stderr and "control character" in r.output + r.stderr
    reads_still_work(jcg)


def test_the_python_api_is_guarded_too(ledger: Ledger, provisioned_url: str) -> None:
    """Whatever the entry point, the ledger checks every field before signing."""
    from datetime import date

    from domain.errors import Refused
    from ledger.handlers.parties import RegisterParty
    from tests.conftest import OFFICER

    before = log_size(provisioned_url)
    for change in ({"ref": "x" * 201}, {"request_id": "r" * 201}, {"code": "U" * 300}, {"name": "a\x00b"},
                   {"code": "U1\u200b"}):
        command = RegisterParty(**({"actor": OFFICER, "decided": date(2025, 1, 2), "code": "U1", "name": "n",
                                    "party_kind": "university", "entered": date(2024, 12, 1)} | change))
        with pytest.raises(Refused):
            ledger.execute(command)
    assert log_size(provisioned_url) == before
    outcome = ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="Cafe\u0301",
                                           party_kind="university", entered=date(2024, 12, 1)))
    assert "Café" in outcome.message  # NFC-normalised before it is signed


def test_csv_with_a_repeated_column_is_refused(jcg: Jcg, ledger_url: str, tmp_path: Path) -> None:
    assert jcg("party", "register", "U1", *PARTY).exit_code == 0
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,decided,ref,ref\n"
                   "r1,award,P2.4,U1,contract_value=1000000;contract=H1;registered_on=2024-11-01;counterparty=E1,2025-03-01,临科发〔2025〕1号,其他\n",
                   encoding="utf-8")
    r = refused_writing_nothing(jcg, ledger_url, "grant", "import", str(csv))
    assert "ref more than once" in r.stderr


def test_csv_field_over_the_limit_is_one_line(jcg: Jcg, ledger_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,decided,ref\n"
                   f"r1,award,P2.4,U1,contract=H1;registered_on=2024-11-01;counterparty=E1,2025-03-01,{'x' * 200_000}\n", encoding="utf-8")
    r = refused_writing_nothing(jcg, ledger_url, "grant", "import", str(csv))
    assert "CSV line 2" in r.stderr


@pytest.mark.parametrize("decided", ["20250301", "2025-W10-1", "2025-060"])
def test_csv_dates_are_strict(jcg: Jcg, ledger_url: str, tmp_path: Path, decided: str) -> None:
    assert jcg("party", "register", "U1", *PARTY).exit_code == 0
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,decided,ref\n"
                   f"r1,award,P2.4,U1,contract_value=1000000;contract=H1;registered_on=2024-11-01;counterparty=E1,{decided},临科发〔2025〕1号\n",
                   encoding="utf-8")
    r = refused_writing_nothing(jcg, ledger_url, "grant", "import", str(csv))
    assert "is not a date" in r.output + r.stderr


def test_csv_dates_in_chinese_forms(jcg: Jcg, ledger_url: str, tmp_path: Path) -> None:
    assert jcg("party", "register", "U1", *PARTY).exit_code == 0
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,decided,ref\n"
                   "r1,award,P2.4,U1,contract_value=1000000;contract=H1;registered_on=2024-11-01;counterparty=E1,2025年3月1日,临科发〔2025〕1号\n"
                   "r2,award,P2.4,U1,contract_value=1000000;contract=H2;registered_on=2024-11-01;counterparty=E1,2025/3/2,临科发〔2025〕2号\n",
                   encoding="utf-8")
    r = jcg("grant", "import", str(csv))
    assert r.exit_code == 0, r.output + r.stderr
    assert "imported 2 of 2" in r.output


def test_values_recorded_before_the_boundary_checks_do_not_break_reads(
        jcg: Jcg, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger written before the field checks existed may hold an over-long name or reference
    and a NUL byte; the log cannot be changed, so the read models take what it holds."""
    monkeypatch.setattr(application, "checked", lambda command: command)  # the version without checks
    long_name, nul_ref = "临汾" * 150, "临科发\x00〔2025〕1号"
    ledger.execute(RegisterParty(code="U" + "1" * 299, name=long_name, party_kind="university",
                                 entered=date(2024, 12, 1), **on("2025-01-02", ref=nul_ref)))
    ledger.execute(RegisterParty(code="U1", name="高\x00校", party_kind="university", entered=date(2024, 12, 1),
                                 **on("2025-01-02", ref="临" * 300)))
    monkeypatch.undo()
    reads_still_work(jcg)
    listed = jcg("party", "list")
    assert listed.exit_code == 0 and long_name in listed.stdout, listed.stdout + listed.stderr
    assert "U1" in jcg("audit", "trail", "U1").stdout
