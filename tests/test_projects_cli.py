"""`jcg project|fund|captable`: the worked example through the command line, idempotent and explained."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.conftest import APPROVER
from tests.posting import second_approver_at

Jcg = Callable[..., Result]


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result.output


def test_worked_example_through_the_cli(jcg: Jcg, tmp_path: Path, provisioned_url: str) -> None:
    ok(jcg("party", "register", "ENT-1", "--name", "临汾光电科技有限公司", "--kind", "enterprise",
           "--entered", "2024-12-01", "--decided", "2024-12-01"))
    ok(jcg("fund", "register", "F-SEED", "--name", "临汾市天使投资基金", "--capital", "5000万",
           "--decided", "2024-12-01"))
    ok(jcg("captable", "register", "ENT-1", "--holder", "张三=300万", "--holder", "李四:李四=200万",
           "--decided", "2024-12-02"))
    out = ok(jcg("--officer", APPROVER, "project", "approve", "PJ-1", "--title", "高功率激光器中试", "--enterprise", "ENT-1",
                 "--fund", "F-SEED", "--amount", "300万", "--trigger", "date", "--trigger-on", "2025-12-31",
                 "--pricing", "fixed", "--pre-money", "1200万", "--max-stake", "25%", "--exit", "interest",
                 "--exit-rate", "4%", "--window-from", "1", "--decided", "2025-01-10", "--ref", "临科发〔2025〕5号"))
    assert "principal plus 4% simple interest a year" in out
    # a tranche: the officer's payment order, posted by an approver other than the one who approved the project
    second = second_approver_at(provisioned_url)
    for voucher, day in (("付-1", "2025-02-01"), ("付-2", "2025-08-01")):
        ok(jcg("project", "disburse", "PJ-1", "--amount", "150万", "--voucher", voucher, "--decided", day))
        ok(jcg("--officer", second, "payment", "post", voucher, "--source", "市财政", "--decided", day))
    refused = jcg("project", "convert", "PJ-1", "--decided", "2026-01-05")
    assert refused.exit_code == 1 and "no conversion without its trigger" in refused.stderr
    ok(jcg("project", "trigger", "PJ-1", "--decided", "2026-01-05"))
    args = ("project", "convert", "PJ-1", "--decided", "2026-01-05", "--request-id", "conv-PJ-1")
    out = ok(jcg(*args))
    assert "= 1,250,000.00 (1 unit = 1 yuan)" in out and "= 20.00%" in out
    again = ok(jcg(*args))
    assert "already recorded" in again
    out = ok(jcg("captable", "show", "ENT-1", "--as-of", "2026-01-05"))
    assert "6,250,000.00" in out and "20.00%" in out
    ok(jcg("project", "buyback", "PJ-1", "--buyer", "张三", "--receipt", "基金收-1", "--decided", "2028-01-05"))
    out = ok(jcg("--officer", APPROVER, "payment", "post", "基金收-1", "--source", "F-SEED", "--decided", "2028-01-05"))
    assert "3,240,000.00" in out and "gain 3,240,000.00 − 3,000,000.00 = 240,000.00" in out
    out = ok(jcg("fund", "show", "F-SEED", "--as-of", "2028-01-05"))
    assert "cash 53,240,000.00" in out and "net 240,000.00" in out and "P5.8: 0 of 1" in out
    assert "F-SEED" in ok(jcg("fund", "list"))
    assert "exited" in ok(jcg("project", "show", "PJ-1"))
    target = tmp_path / "captable.json"
    ok(jcg("captable", "export", "ENT-1", "--format", "json", "-o", str(target)))
    doc = json.loads(target.read_text(encoding="utf-8"))
    transfer, resulting = doc["transactions"][-2:]  # the transfer, then the issuance of the buyer's security
    assert resulting["security_id"] == transfer["resulting_security_ids"][0] and resulting["stakeholder_id"] == "张三"
    assert transfer["object_type"] == "TX_STOCK_TRANSFER" and transfer["x_jcg_price"]["amount"] == "3240000.00"
    assert doc["x_jcg_cap_table"]["holdings"][0] == {"stakeholder_id": "张三", "quantity": "4250000.00",
                                                     "percent": "68.0000"}


def test_bad_input_is_one_line(jcg: Jcg) -> None:
    result = jcg("project", "disburse", "NOPE", "--amount", "1", "--voucher", "V", "--decided", "2025-02-01")
    assert result.exit_code == 1 and result.stderr.strip() == "error: project NOPE is not registered"
    result = jcg("captable", "register", "X", "--holder", "nope", "--decided", "2025-02-01")
    assert result.exit_code == 2


def test_every_command_has_an_example(jcg: Jcg) -> None:
    for group, commands in {
        "project": ["approve", "disburse", "trigger", "convert", "buyback", "sell", "fail", "finish", "reassign",
                    "show"],
        "fund": ["register", "invest", "show", "list"],
        "captable": ["register", "show", "export"],
    }.items():
        for command in commands:
            assert "Example:" in ok(jcg(group, command, "--help")), f"{group} {command}"


def test_reassignment_needs_a_finished_project(jcg: Jcg, provisioned_url: str) -> None:
    ok(jcg("party", "register", "ENT-1", "--name", "临汾光电科技有限公司", "--kind", "enterprise",
           "--entered", "2024-12-01", "--decided", "2024-12-01"))
    ok(jcg("fund", "register", "F-SEED", "--name", "临汾市天使投资基金", "--decided", "2024-12-01"))
    for code, clause in (("PJ-1", "P2.2"), ("PJ-B", "P6.1")):
        ok(jcg("--officer", APPROVER, "project", "approve", code, "--title", "研究", "--enterprise", "ENT-1", "--fund", "F-SEED",
               "--amount", "100万", "--clause", clause, "--trigger", "date", "--trigger-on", "2026-06-01",
               "--pricing", "fixed", "--pre-money", "1000万", "--max-stake", "20%", "--decided", "2025-01-10",
               "--ref", "临科发〔2025〕5号"))
    ok(jcg("project", "disburse", "PJ-1", "--amount", "100万", "--voucher", "付-1", "--decided", "2025-02-01"))
    ok(jcg("--officer", second_approver_at(provisioned_url), "payment", "post", "付-1", "--source", "市财政",
           "--decided", "2025-02-01"))
    assert "not finished: no acceptance recorded" in ok(jcg("project", "show", "PJ-1"))
    refused = jcg("project", "reassign", "PJ-1", "--to", "PJ-B", "--amount", "30万", "--decided", "2025-12-01")
    assert refused.exit_code == 1 and "is not finished" in refused.stderr and "record its completion first" in refused.stderr
    refused = jcg("project", "finish", "PJ-1", "--spent", "0", "--decided", "2025-11-20")
    assert refused.exit_code == 1 and "acceptance reference (验收文号)" in refused.stderr
    out = ok(jcg("project", "finish", "PJ-1", "--spent", "0", "--decided", "2025-11-20", "--ref", "临科验〔2025〕3号"))
    assert "finished on 2025-11-20" in out and "= 1,000,000.00" in out
    out = ok(jcg("project", "show", "PJ-1"))
    assert "(P2.2, finished)" in out and "finished (accepted) 2025-11-20, acceptance 临科验〔2025〕3号" in out
    ok(jcg("project", "reassign", "PJ-1", "--to", "PJ-B", "--amount", "30万", "--decided", "2025-12-01"))
