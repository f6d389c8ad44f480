"""The views' tables line up with Chinese names (display width by wcwidth), in both languages,
on both databases; and no command or view pads text by hand (every table goes through
projections.tables)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result

from ledger import Ledger
from ledger.handlers.grants import Disburse
from ledger.handlers.loans import EnrolLoan
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from projections.tables import display_width
from tests.builders import record_lifecycles
from tests.conftest import APPROVER, OFFICER, fixed_clock
from tests.posting import paid

ROOT = Path(__file__).resolve().parent.parent
SEPARATOR = re.compile(r" {2,}")

# command -> (English headers, Chinese headers) of the table it prints
TABLES = {
    ("party", "list"): (["code", "kind", "entered", "name"], ["编码", "类型", "入驻日期", "名称"]),
    ("party", "show", "临汾-9"): (["award", "clause", "title", "decided", "awarded", "disbursed", "clawed_back"],
                                  ["奖励", "条款", "条款名称", "决定日期", "已奖励", "已拨付", "已追回"]),
    ("grant", "show", "U1"): (["award", "clause", "title", "decided", "awarded", "disbursed", "clawed_back"],
                              ["奖励", "条款", "条款名称", "决定日期", "已奖励", "已拨付", "已追回"]),
    ("loan", "show", "L1"): (["share", "paid", "owes", "returned", "bearer"],
                             ["分担额", "已支付", "尚欠", "已返还", "承担方"]),
    ("loan", "list"): (["loan", "category", "bank", "borrower", "principal", "status", "loss"],
                       ["贷款", "类别", "贷款银行", "借款企业", "本金", "状态", "本金损失"]),
    ("fund", "list"): (["code", "name", "fund manager", "capital"], ["编码", "名称", "基金管理人", "资本"]),
    ("captable", "show", "ENT-1"): (["holder", "name", "registered capital", "stake"],
                                    ["持有人", "名称", "注册资本", "持股比例"]),
    ("officer", "list"): (["name", "role", "keys"], ["名称", "角色", "密钥"]),
    ("payment", "pending"): (["source", "reference", "operation", "entity", "item", "amount", "ordered on",
                              "recorder", "request_id"],
                             ["资金来源", "凭证号", "业务", "对象", "事项", "金额", "指令日期", "录入人", "请求号"]),
    ("policy", "list"): (["clause", "title", "responsible units"], ["条款", "条款名称", "责任单位"]),
}


def spans(line: str) -> list[tuple[int, int]]:
    """(first, last + 1) display column of each field; fields are separated by two or more spaces."""
    out = []
    for m in re.finditer(r"\S+(?: \S+)*", line):
        start = display_width(line[:m.start()])
        out.append((start, start + display_width(m.group())))
    return out


def table_of(output: str, headers: list[str]) -> list[str]:
    """The table's lines: its header (found by its titles), then its rows: the lines of two or more
    fields up to a blank line (a line of one field, printed under a row or after the table, is not a row)."""
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if SEPARATOR.split(line.strip()) == headers)
    table = [lines[at]]
    for line in lines[at + 1:]:
        if not line.strip():
            break
        if len(SEPARATOR.split(line.strip())) >= 2:
            table.append(line)
    return table


def assert_lines_up(table: list[str]) -> None:
    """Every field starts where its header starts (left-aligned) or ends where it ends (right-aligned)."""
    header = spans(table[0])
    assert len(table) >= 2, table
    for line in table[1:]:
        for k, (start, end) in enumerate(spans(line)):
            assert k < len(header), (line, table)
            assert start == header[k][0] or end == header[k][1], f"column {k} drifts:\n" + "\n".join(table)


@pytest.fixture
def history(provisioned_url: str) -> str:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        record_lifecycles(ledger)
        day = {"actor": OFFICER, "decided": date(2025, 3, 1)}
        for code, name in (("临汾-9", "临汾市晋创谷科技成果转化服务中心有限公司"), ("E-2", "Acme")):
            ledger.execute(RegisterParty(code=code, name=name, party_kind="enterprise", entered=date(2024, 12, 1),
                                         **day))
        ledger.execute(RegisterParty(code="晋商-1", name="晋商银行临汾分行", party_kind="bank",
                                     entered=date(2024, 12, 1), **day))
        ledger.execute(EnrolLoan(code="贷-2", bank="晋商-1", borrower="临汾-9", category="P5.6a",
                                 principal=Decimal("80000.00"), start=date(2025, 3, 1), term_months=12, **day))
        enrol(ledger, "张伟", "officer", actor=APPROVER)
        paid(ledger, AwardByRule(recipient="临汾-9", clause="P6.7", basis={"patent": "ZL2023-1", "prize": "shanxi"},
                                 ref="临科发〔2025〕7号", **day))
        ledger.execute(Disburse(recipient="临汾-9", award="临汾-9-A1", amount=Decimal("20000.00"), voucher="付-临-1",
                                **day))  # a pending order
    finally:
        ledger.close()
    return provisioned_url


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_table_of_the_views_lines_up_with_chinese_names(history: str, jcg: Callable[..., Result],
                                                             lang: str) -> None:
    for command, (english, chinese) in TABLES.items():
        out = jcg("--lang", lang, *command)
        assert out.exit_code == 0, (command, out.output)
        table = table_of(out.stdout, english if lang == "en" else chinese)
        assert any(re.search(r"[\u4e00-\u9fff]", line) for line in table), (command, out.stdout, table)
        assert_lines_up(table)


def test_a_table_padded_by_characters_would_be_caught() -> None:
    drifted = ["code  name  kind", *(f"{c:<4}  {n:<12}  {k}" for c, n, k in (("U1", "山西师范大学", "高校"),
                                                                                ("E2", "Acme", "企业")))]
    with pytest.raises(AssertionError, match="drifts"):
        assert_lines_up(drifted)


# hand padding: a format spec that aligns or pads ("{x:<20}", f"{x:>8}"), str.ljust/rjust/center,
# or a name cut at a fixed length (name[:20])
PADDING_SPEC = re.compile(r"\{[^{}]*:[^{}]*[<>^=][^{}]*\}")
PADDED = ("ljust", "rjust", "center")
GUARDED = ["commandline", "projections/views", "projections/reports.py", "ledger/demo.py", "ledger/whatif.py"]


def padding_in(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and PADDING_SPEC.search(node.value):
            found.append(f"{where}: format spec {PADDING_SPEC.search(node.value).group()}")  # type: ignore[union-attr]  # searched just above
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = ast.unparse(node.format_spec)
            if re.search(r"[<>^=]", spec):
                found.append(f"{where}: f-string spec {spec}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PADDED:
            found.append(f"{where}: .{node.func.attr}()")
        if isinstance(node, ast.FormattedValue) and _cut(node.value):
            found.append(f"{where}: text cut at a fixed width in an f-string")
        elif _cut(node) and re.search(r"name|title", ast.unparse(node.value)):  # type: ignore[attr-defined]  # _cut: a Subscript
            found.append(f"{where}: {ast.unparse(node)} cut at a fixed width")
    return found


def _cut(node: ast.AST) -> bool:
    """``x[:20]``: a value cut at a fixed number of characters."""
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.lower is None
            and isinstance(node.slice.upper, ast.Constant) and isinstance(node.slice.upper.value, int))


def guarded_files() -> list[Path]:
    return [p for target in GUARDED for p in ([ROOT / target] if target.endswith(".py")
                                              else sorted((ROOT / target).rglob("*.py")))]


def test_no_command_or_view_pads_text_by_hand() -> None:
    found = [line for path in guarded_files() for line in padding_in(path)]
    assert found == [], "tables go through projections.tables (display width, not characters):\n" + "\n".join(found)


def test_the_guard_sees_hand_padding(tmp_path: Path) -> None:
    sample = tmp_path / "padded.py"
    sample.write_text('def f(n, c):\n    return f"{c:<16} {n[:20]:<20}" + "{x:>8}".format(x=1) + n.ljust(4) + c.name[:9]\n',
                      encoding="utf-8")
    assert len(padding_in(sample)) == 6, padding_in(sample)
