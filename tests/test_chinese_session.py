"""A whole officer's session under LANG=zh_CN.UTF-8 is Chinese (no English words but ids, codes and
units), the same session under LANG=C is English; Chinese input (kinds, basis labels, clause ids
in any case, CSV headers and values in GB18030) is accepted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from tests.builders import english_words
from tests.conftest import APPROVER, OFFICER


def session(jcg: Callable[..., Result], tmp_path: Path) -> str:
    """Parties, awards, a disbursement, a clawback, an import, a project, a loan claim, reports, audit."""
    out: list[str] = []

    def run(*args: str, expect: int = 0) -> None:
        result = jcg(*args)
        out.append(result.output)
        assert result.exit_code == expect, (args, result.output)

    run("party", "register", "U1", "--name", "山西师范大学", "--kind", "高校", "--entered", "2024-12-01",
        "--decided", "2025-01-02")
    run("party", "register", "ENT-1", "--name", "临汾光电科技有限公司", "--kind", "企业", "--entered", "2024-12-01",
        "--decided", "2025-01-02")
    run("party", "register", "BANK-1", "--name", "晋商银行临汾分行", "--kind", "银行", "--entered", "2024-12-01",
        "--decided", "2025-01-02")
    run("party", "list")
    run("policy", "calc", "p2.4", "--recipient", "U1", "--basis", "合同技术交易额=765万", "--basis", "合同编号=HT-1", "--basis", "登记日期=2024-11-01", "--basis", "合同相对方=E1",
        "--decided", "2025-03-01")
    run("grant", "award", "p2.4", "--recipient", "U1", "--basis", "合同技术交易额=765万", "--basis", "合同编号=HT-1", "--basis", "登记日期=2024-11-01", "--basis", "合同相对方=E1",
        "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号")
    run("grant", "disburse", "U1-A1", "--amount", "100,000.00", "--decided", "2025-03-10", "--voucher", "付-2025-031")
    run("--officer", APPROVER, "payment", "post", "付-2025-031", "--source", "市财政", "--decided", "2025-03-10")
    run("grant", "claw-back", "U1-A1", "--amount", "2万", "--reason", "考核不合格", "--decided", "2025-09-01",
        "--ref", "临科发〔2025〕40号")
    run("grant", "disburse", "U1-A1", "--amount", "10亿", "--decided", "2025-03-11", "--voucher", "付-2025-032", expect=1)
    csv_file = tmp_path / "奖励.csv"
    csv_file.write_bytes("请求号,操作,条款,受益单位,依据,决定日期,文号\n"
                         "imp-1,奖励,P2.4,U1,合同技术交易额=100万;合同编号=HT-2;登记日期=2024-11-01;合同相对方=E1,2025-04-01,临科发〔2025〕2号\n"
                         .encode("gb18030"))
    run("grant", "import", str(csv_file))
    run("grant", "show", "U1")
    run("party", "show", "U1")
    run("fund", "register", "F-SEED", "--name", "临汾市天使投资基金", "--capital", "5000万", "--decided", "2024-12-01")
    run("captable", "register", "ENT-1", "--holder", "ZS1:张三=300万", "--decided", "2024-12-02")
    run("--officer", APPROVER, "project", "approve", "PJ-1", "--title", "高功率激光器中试", "--enterprise", "ENT-1",
        "--fund", "F-SEED", "--amount", "300万", "--trigger", "date", "--trigger-on", "2025-12-31",
        "--pricing", "fixed", "--pre-money", "1200万", "--max-stake", "25%", "--exit", "interest",
        "--exit-rate", "4%", "--window-from", "1", "--window-until", "5", "--decided", "2025-01-10",
        "--ref", "临科发〔2025〕5号")
    run("project", "disburse", "PJ-1", "--amount", "150万", "--voucher", "付-2025-021", "--decided", "2025-02-01")
    run("project", "show", "PJ-1")
    run("loan", "enrol", "L1", "--bank", "BANK-1", "--borrower", "ENT-1", "--category", "P5.6a",
        "--principal", "50万", "--start", "2025-01-10", "--term", "24", "--decided", "2025-01-08")
    run("loan", "disburse", "L1", "--amount", "500,000.00", "--decided", "2025-01-10")
    run("loan", "default", "L1", "--reason", "逾期90天", "--decided", "2025-10-10")
    run("loan", "default", "L1", "--loss", "500,000.00", "--decided", "2026-03-01")
    run("loan", "claim", "L1", "--decided", "2026-03-10")
    run("loan", "show", "L1")
    for name in ("balances", "recipients", "caps", "budgets", "loans"):
        run("report", name)
    run("audit", "trail", "U1-A1")
    run("audit", "verify")
    return "\n".join(out)


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JCG_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")


def test_an_officers_session_under_a_chinese_locale_is_chinese(zh: None, jcg: Callable[..., Result],
                                                               tmp_path: Path) -> None:
    text = session(jcg, tmp_path)
    assert "山西师范大学" in text and "已拨付" in text
    words = english_words(text)
    assert sum(words.values()) == 0, f"English words in the Chinese session: {words.most_common(40)}"


def test_the_same_session_under_lang_c_is_english(monkeypatch: pytest.MonkeyPatch, jcg: Callable[..., Result],
                                                  tmp_path: Path) -> None:
    monkeypatch.delenv("JCG_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "C")
    text = session(jcg, tmp_path)
    assert "registered party U1" in text and "verification passed" in text
    for chinese_message_word in ("请求号", "错误：", "已登记主体", "已拨付奖励", "计算过程", "科目余额表", "用法"):
        assert chinese_message_word not in text, f"{chinese_message_word} printed under LANG=C"


def test_help_under_a_chinese_locale_is_chinese(zh: None) -> None:
    result = CliRunner().invoke(cli.main, ["grant", "award", "--help"])
    assert result.exit_code == 0
    assert "用法" in result.output and "计算依据" in result.output
    assert "Show this message" not in result.output


def test_lang_option_overrides_the_locale(zh: None) -> None:
    result = CliRunner().invoke(cli.main, ["--lang", "en", "party", "--help"])
    assert "Register parties" in result.output and "登记主体" not in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli.main, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"jcg \d+\.\d+\.\d+\S*\n", result.output)


_ = (OFFICER,)


def test_import_templates_have_chinese_headers_and_read_back(tmp_path: Path) -> None:
    import csv
    import io

    import openpyxl

    runner = CliRunner()
    out = runner.invoke(cli.main, ["grant", "import", "--template", "award"])
    assert out.exit_code == 0 and out.output.startswith("\ufeff")
    header, example = list(csv.reader(io.StringIO(out.output.lstrip("\ufeff"))))[:2]
    assert header[:4] == ["请求号", "操作", "条款", "受益单位"] and example[1] == "奖励"
    target = tmp_path / "拨付模板.xlsx"
    made = runner.invoke(cli.main, ["grant", "import", "--template", "disburse", "--out", str(target)])
    assert made.exit_code == 0, made.output
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]][:3] == ["请求号", "操作", "奖励编号"]
    again = runner.invoke(cli.main, ["grant", "import", "--template", "disburse", "--out", str(target)])
    assert again.exit_code == 1, "an existing file is never overwritten"


def test_templates_are_read_back_by_the_importer() -> None:
    from ledger.exchange.batch_import import read_rows
    from ledger.exchange.templates import TEMPLATES

    for operation, (columns, example) in TEMPLATES.items():
        text = ",".join(h for _, h in columns) + "\n" + ",".join(f'"{v}"' for v in example) + "\n"
        row = read_rows(text)[0]
        assert set(row) == {name for name, _ in columns}, operation
