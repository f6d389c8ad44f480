"""`jcg report …` and `jcg audit trail`: formats, clause titles, time travel from the log."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime

import pytest
from click.testing import Result

from ledger import Ledger
from projections.runner import head
from projections.tables import display_width
from tests.builders import record_small_history
from tests.conftest import fixed_clock


@pytest.fixture
def history(provisioned_url: str) -> int:
    """The small history after the officers' registration; its value is the base position."""
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    base = record_small_history(ledger)
    ledger.close()
    return base


def test_table_right_aligns_amounts_with_separators_and_titles(jcg: Callable[..., Result], history: int) -> None:
    result = jcg("report", "recipients")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("U1 "))
    assert "高校院所技术合同补贴" in row
    assert row.endswith("2025  100,000.00  100,000.00     5,000.00        0.00      0.00         0.00")
    header = lines[1]
    end_of = lambda text, word: display_width(text[: text.index(word) + len(word)])  # noqa: E731
    assert end_of(header, "awarded") == end_of(row, "100,000.00"), "amounts right-aligned under their heading"


def test_csv_and_json_carry_exact_decimals(jcg: Callable[..., Result], history: int) -> None:
    rows = list(csv.DictReader(io.StringIO(jcg("report", "balances", "--format", "csv").stdout.lstrip("\ufeff"))))
    assert {r["account"]: (r["debit"], r["credit"]) for r in rows}["funding:市财政"] == ("0.00", "135000.00")
    assert "total" not in [r["account"] for r in rows], "csv holds records only, no total row"
    totals = json.loads(jcg("report", "balances", "--format", "json").stdout)["totals"]
    assert totals == [{"account": "total", "title": "", "debit": "140000.00", "credit": "140000.00"}]
    table = jcg("report", "balances").stdout.splitlines()
    assert table[-3].startswith("total") and table[-3].endswith("140,000.00  140,000.00"), "total under the table"
    data = json.loads(jcg("report", "caps", "--format", "json").stdout)
    p24 = next(r for r in data["rows"] if r["clause"] == "P2.4")
    assert p24["used"] == "95000.00"
    assert p24["title"] == "高校院所技术合同补贴"


def test_as_of_and_at_position_fold_the_log(jcg: Callable[..., Result], history: int) -> None:
    data = json.loads(jcg("report", "recipients", "--as-of", "2025-12-31", "--format", "json").stdout)
    u1 = next(r for r in data["rows"] if r["recipient"] == "U1")
    assert (u1["disbursed"], u1["clawed_back"], u1["outstanding"]) == ("60000.00", "0.00", "40000.00")
    data = json.loads(jcg("report", "budgets", "--at-position", str(history + 20), "--format", "json").stdout)
    assert [(r["year"], r["source"], r["paid"]) for r in data["rows"]] == [
        (2025, "市财政", "110000.00"),
    ]
    table = jcg("report", "budgets", "--by", "unit", "--as-of", "2025-06-30").stdout
    assert "as of 2025-06-30" in table.splitlines()[0]
    assert "市科技局" in table


def test_audit_trail_lists_an_award_in_order_with_traces(jcg: Callable[..., Result], history: int) -> None:
    result = jcg("audit", "trail", "U1-A1", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    # each payment: the officer's order (待审核) on the award and its reference, then the approver's posting
    assert [r["event"] for r in rows] == ["AwardGranted", "PaymentOrdered", "Ordered", "Posted", "Disbursed",
                                          "PaymentOrdered", "Ordered", "Posted", "Disbursed", "ClawedBack"]
    assert [r["position"] - history for r in rows] == [5, 9, 10, 12, 13, 23, 24, 26, 27, 29]
    assert rows[0]["ref"] == "临科发〔2025〕1号"
    assert rows[0]["actor"] == "officer-1"
    assert rows[0]["trace"].splitlines() == [  # the rules engine's derivation, then the journal entry
        "P2.4: 2% × 5,000,000.00 = 100,000.00; contract 2025-140801-0001 registered on 2024-11-01 (认定登记), "
        "with E1 临汾技术转移服务中心 (服务机构); cap 500,000/yr for U1, used 0.00, remaining 500,000.00 → 100,000.00",
        "journal: Dr budget:P2.4:2025 100,000.00; Cr payable:U1 100,000.00",
    ]
    assert "Cr revenue:returned:2026 5,000.00" in rows[9]["trace"]
    assert [r["actor"] for r in rows[1:5]] == ["officer-1", "officer-1", "approver-1", "approver-1"]
    # who and when are read from the log for the rows shown (the trail's rows keep what it is found by)
    assert all(r["request_id"] for r in rows)
    recorded = [datetime.fromisoformat(r["recorded_at"]) for r in rows]
    assert all(t.tzinfo is not None for t in recorded) and recorded == sorted(recorded)
    party = jcg("audit", "trail", "U1")
    assert party.exit_code == 0 and "Registered" in party.stdout
    missing = jcg("audit", "trail", "NOPE")
    assert missing.exit_code == 1 and missing.stderr.startswith("error: no recorded events")


def test_bad_options_are_usage_errors(jcg: Callable[..., Result], history: int) -> None:
    assert jcg("report", "balances", "--format", "xml").exit_code == 2
    assert jcg("report", "balances", "--as-of", "2025-13-01").exit_code == 2
    assert jcg("report", "balances", "--at-position", "-1").exit_code == 2


def test_a_position_beyond_the_log_is_refused_naming_its_size(jcg: Callable[..., Result], history: int,
                                                              provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        size = head(ledger)
    finally:
        ledger.close()
    assert size > history
    last = jcg("report", "recipients", "--at-position", str(size), "--format", "json")
    assert last.exit_code == 0, last.output
    beyond = jcg("report", "recipients", "--at-position", str(size + 1))
    assert beyond.exit_code == 2
    assert f"--at-position {size + 1} is beyond the log, which holds {size} events" in beyond.stderr
    assert beyond.stdout == ""


def test_json_says_which_point_of_the_log_it_describes(jcg: Callable[..., Result], history: int,
                                                       provisioned_url: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        size = head(ledger)
    finally:
        ledger.close()
    current = json.loads(jcg("report", "recipients", "--format", "json").stdout)
    assert (current["as_of"], current["at_position"], current["log_position"]) == (None, None, size)
    dated = json.loads(jcg("report", "balances", "--as-of", "2025-12-31", "--format", "json").stdout)
    assert (dated["as_of"], dated["at_position"], dated["log_position"]) == ("2025-12-31", None, size)
    early = json.loads(jcg("report", "budgets", "--at-position", str(history + 20), "--format", "json").stdout)
    assert (early["as_of"], early["at_position"], early["log_position"]) == (None, history + 20, history + 20)
    data = jcg("report", "recipients", "--format", "csv").stdout
    assert "as_of" not in data and "log_position" not in data, "csv stays pure data"
