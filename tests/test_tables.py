"""The one table renderer: Chinese names line up by display width, amounts right-aligned, titles
never cut unless the terminal is narrower; CSV with a BOM; xlsx read back with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

import i18n
from projections import reports
from projections.tables import Col, csv_text, display_width, shorten, text_table, xlsx_bytes

COLUMNS = [Col("recipient"), Col("name"), Col("clause"), Col("title"), Col("awarded", money=True)]
ROWS = [
    ["U1", "山西师范大学", "P2.4", "高校院所技术合同补贴", Decimal("153086.42")],
    ["ENT-LONG-CODE-1", "临汾市晋创谷科技成果转化服务中心有限公司", "P2.1a", "科技成果转化企业租金补贴", Decimal("500000.00")],
    ["E2", "Acme", "P6.7", "专利奖", Decimal("2000.00")],
]


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


def column_starts(line: str) -> list[int]:
    """Display columns where each field (separated by two or more spaces) starts."""
    starts, width, prev_space = [], 0, 2
    for ch in line:
        if ch != " " and prev_space >= 2:
            starts.append(width)
        prev_space = prev_space + 1 if ch == " " else 0
        width += display_width(ch)
    return starts


def test_chinese_names_line_up_by_display_width():
    lines = text_table(COLUMNS, ROWS, title="awards").splitlines()
    header, rule, body = lines[1], lines[2], lines[3:]
    assert [column_starts(line)[:4] for line in body] == [column_starts(header)[:4]] * len(body)
    ends = {display_width(line) for line in [header, *body]}
    assert len(ends) == 1, "amounts right-aligned: every line ends in the same display column"
    assert display_width(rule) == display_width(header)
    assert "临汾市晋创谷科技成果转化服务中心有限公司" in lines[4] and "科技成果转化企业租金补贴" in lines[4]


def test_titles_are_cut_only_when_the_terminal_is_narrower():
    full = text_table(COLUMNS, ROWS)
    assert "…" not in full
    narrow = text_table(COLUMNS, ROWS, max_width=70).splitlines()
    assert all(display_width(line) <= 70 for line in narrow)
    assert any("…" in line for line in narrow)
    assert all("500,000.00" in line for line in narrow if "P2.1a" in line), "amounts are never cut"


def test_shorten_counts_wide_characters_twice():
    assert shorten("山西师范大学", 7) == "山西师…"
    assert display_width(shorten("山西师范大学", 7)) <= 7
    assert shorten("abc", 3) == "abc"


def test_headers_in_chinese_under_chinese():
    i18n.activate("zh")
    header = text_table(COLUMNS, ROWS).splitlines()[0]
    assert header.split() == ["受益单位", "名称", "条款", "条款名称", "已奖励"]


def test_csv_has_a_bom_exact_amounts_and_translated_headers():
    i18n.activate("zh")
    out = csv_text(COLUMNS, ROWS)
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.encode("utf-8").decode("utf-8-sig"))))
    assert rows[0] == ["受益单位", "名称", "条款", "条款名称", "已奖励"]
    assert rows[2][1] == "临汾市晋创谷科技成果转化服务中心有限公司" and rows[2][4] == "500000.00"


def test_xlsx_read_back_has_chinese_headers_and_typed_cells(tmp_path):
    i18n.activate("zh")
    path = tmp_path / "awards.xlsx"
    path.write_bytes(xlsx_bytes([*COLUMNS, Col("decided")], [[*r, date(2025, 3, 1)] for r in ROWS],
                                title="awards", notes=["a note"]))
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["受益单位", "名称", "条款", "条款名称", "已奖励", "决定日期"]
    amount = ws.cell(row=3, column=5)
    assert isinstance(amount.value, (int, float)) and Decimal(str(amount.value)) == Decimal("500000.00")
    assert amount.number_format == "#,##0.00"
    assert ws.cell(row=2, column=6).value.date() == date(2025, 3, 1)
    assert ws.cell(row=2, column=2).value == "山西师范大学"
    assert ws.cell(row=6, column=1).value == "a note"


def test_a_report_as_xlsx_read_back(tmp_path):
    i18n.activate("zh")
    rows = {"rm_balances": {("budget:P2.4:2025",): {"balance_fen": 15308642},
                            ("funding:市财政",): {"balance_fen": -15308642}}}
    report = reports.balances(rows)
    path = tmp_path / "balances.xlsx"
    path.write_bytes(reports.xlsx(report))
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["科目", "条款名称", "借方", "贷方"]
    values = {r[0].value: (r[2].value, r[3].value) for r in ws.iter_rows(min_row=2) if r[0].value}
    assert Decimal(str(values["budget:P2.4:2025"][0])) == Decimal("153086.42")
