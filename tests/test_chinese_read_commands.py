"""Every read command of the CLI (walked from the click tree) prints Chinese under JCG_LANG=zh on a
ledger holding every kind of record: no English words but ids, codes and units (counted as in
tests/test_chinese_session.py); under LANG=C the same commands print English."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import cli
from domain.clauses import catalogue
from ledger import Ledger
from ledger.handlers.grants import Disburse
from ledger.handlers.officers import enrol
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.builders import english_words, external, record_lifecycles, writing_commands
from tests.conftest import APPROVER, OFFICER, fixed_clock
from tests.posting import paid

# The proof files `audit prove` and `audit consistency` print are a syntax (C2SP tlog-proof): its
# keywords are not sentences.
PROOF_SYNTAX = re.compile(r"^(old|new|index|extra) \S+$", re.M)
# Words of the Chinese `policy show` / `policy list` / trail lines that must not appear under LANG=C
CHINESE_ONLY = ("规则：", "解读：", "计算依据：", "资金来源：", "参数：", "金额：", "纳入 ", "录入付款指令")
# Not read here: their output is another syntax or they run something else (a server, a new ledger).
NOT_READ = {("export", "beancount"), ("captable", "export"), ("serve",), ("init",), ("officer", "keygen"),
            ("officer", "unlock"), ("officer", "lock")}  # the key agent: in Chinese in tests/test_key_agent.py
CLAUSES = [c for c in catalogue() if not c.startswith("G.")]
POLICY_CALC = [
    ("P2.4", "--recipient", "U1", "--basis", "合同技术交易额=765万", "--basis", "合同编号=HT-9",
     "--basis", "登记日期=2024-11-01", "--basis", "合同相对方=ENT-1", "--decided", "2025-03-01"),
    ("P5.6a", "--basis", "损失=100万", "--decided", "2025-06-30"),
    ("P6.3b", "--recipient", "ENT-1", "--basis", "vouchers=1000", "--basis", "voucher=Q-9", "--decided", "2025-03-01"),
    ("P2.1c", "--recipient", "ENT-1", "--amount", "10万", "--reason", "一事一议", "--ref", "临科发〔2025〕9号",
     "--decided", "2025-03-01"),
]
REPORTS = ["balances", "budgets", "caps", "funds", "loans", "recipients"]
FILTERED = {  # each report narrowed by what it can be narrowed by (the title names the filters)
    "balances": ("--from", "2025-01-01", "--to", "2025-12-31"),
    "budgets": ("--clause", "P2.4", "--year", "2025", "--source", "市财政"),
    "caps": ("--recipient", "U1", "--clause", "P2.4", "--year", "2025"),
    "funds": ("--recipient", "ENT-1"),
    "loans": ("--recipient", "BANK-1", "--clause", "P5.6a"),
    "recipients": ("--recipient", "U1", "--clause", "P2.4", "--year", "2025"),
}


def read_invocations(folder: Path) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each read command with the arguments it is run with here (several runs for some); ``folder``
    holds the checkpoints the fixture kept."""
    old, new = str(folder / "checkpoint-1.txt"), str(folder / "checkpoint-2.txt")
    return {
        ("audit", "consistency"): [(old, new)],
        ("audit", "prove"): [("5",), ("5", "--checkpoint", old)],
        ("audit", "replay"): [()],
        ("audit", "trail"): [("U1",), ("U1-A1",), ("PJ-1",), ("L1",), ("F-SEED",), ("ENT-1",), ("临汾-9-A1",), ("ENT-2-A1",),
                             ("ENT-2-A2",), ("PJ-2",), ("PJ-3",), ("PJ-5",), ("PJ-6",),
                             ("L1", "--format", "csv")],
        ("audit", "verify"): [(), ("--checkpoint", old)],
        ("captable", "show"): [("ENT-1",), ("ENT-2",), ("临汾-9",)],
        ("demo",): [("--db", f"sqlite:///{folder}/demo.sqlite")],  # a ledger of its own
        ("fund", "list"): [()],
        ("fund", "show"): [("F-SEED",), ("F-2",)],
        ("grant", "show"): [("U1",), ("ENT-1",), ("ENT-2",), ("临汾-9",)],
        ("loan", "list"): [()],
        ("loan", "show"): [("L1",)],
        ("officer", "list"): [()],
        ("party", "list"): [()],
        ("party", "show"): [("U1",), ("ENT-1",), ("ENT-2",), ("BANK-1",), ("临汾-9",)],
        ("payment", "pending"): [()],
        ("policy", "calc"): POLICY_CALC,
        ("policy", "list"): [()],
        ("policy", "show"): [(c,) for c in CLAUSES],
        ("policy", "what-if"): [("--revise", "P2.4.rate=3%@2025-01-01")],
        ("project", "show"): [(f"PJ-{n}",) for n in range(1, 7)],
        **{("report", kind): [(), ("--as-of", "2025-12-31"), FILTERED[kind], ("--format", "csv")]
           for kind in REPORTS},
    }


def read_commands() -> list[tuple[str, ...]]:
    """Every command of the CLI that does not write (tests/builders.py writing_commands), and `policy calc`."""
    ctx = click.Context(cli.main)
    writing = {path for path, _ in writing_commands()} - {("policy", "calc")}
    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))
            elif (*prefix, name) not in writing:
                found.append((*prefix, name))

    walk(cli.main, ())
    return [path for path in found if path not in NOT_READ]


@pytest.fixture
def every_record(provisioned_url: str, tmp_path: Path) -> str:
    """The lifecycles of tests/builders.py (grants, projects failed/finished/reassigned/bought back, a
    compensated loan) and: qualifications, an external award, a voided and an amended award, a pending
    payment order, a pending officer change, a fund's direct investment and its failure, a policy
    revision, a checkpoint; a party with a Chinese code, registered, awarded and paid in Chinese words, a
    voided and a posted payment, a clawback, a key rotation. The commands run here print Chinese (zh)."""
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    try:
        record_lifecycles(ledger)
        day = {"actor": OFFICER, "decided": date(2025, 3, 1)}
        ledger.execute(RegisterParty(code="临汾-9", name="临汾市晋创谷科技成果转化服务中心有限公司",
                                     party_kind="enterprise", entered=date(2024, 12, 1), **day))
        paid(ledger, AwardByRule(recipient="临汾-9", clause="P6.7", basis={"patent": "ZL2023-1", "prize": "shanxi"},
                                 ref="临科发〔2025〕7号", **day))
        ledger.execute(Disburse(recipient="临汾-9", award="临汾-9-A1", amount=Decimal("20000.00"), voucher="付-临-1",
                                **day))  # a pending order
        external(ledger, "ENT-1", "P6.7", "P6.7:ZL202310001")
        enrol(ledger, "张伟", "officer", actor=APPROVER)
    finally:
        ledger.close()
    runner = CliRunner()

    def jcg(*args: str, officer: str = OFFICER) -> None:  # the writes speak Chinese too
        result = runner.invoke(cli.main, ["--lang", "zh", "--db", provisioned_url, "--officer", officer, *args])
        assert result.exit_code == 0, (args, result.output)
        assert not english_in(result.output), (args, result.output)

    ap = APPROVER
    jcg("audit", "checkpoint", "--out", str(tmp_path / "checkpoint-1.txt"))
    jcg("party", "qualify", "ENT-1", "高新技术企业", "--level", "national", "--granted", "2024-12-20",
        "--expires", "2027-12-19", "--decided", "2025-01-05", "--ref", "国科火字〔2024〕1号")
    jcg("party", "expire", "ENT-1", "高新技术企业", "--level", "national", "--ended", "2026-01-01",
        "--decided", "2026-01-02")
    for n in (1, 2):
        jcg("grant", "award", "P6.3b", "--recipient", "ENT-2", "--basis", f"vouchers={n}000", "--basis",
            f"voucher=Q-{n}", "--decided", "2025-03-01", "--ref", "临科发〔2025〕20号")
    jcg("grant", "void", "ENT-2-A1", "--reason", "录入错误", "--decided", "2025-04-01", "--ref", "临科发〔2025〕30号")
    jcg("grant", "amend", "ENT-2-A2", "--correction", "券面额多录", "--basis", "vouchers=600", "--basis", "voucher=Q-3",
        "--decided", "2025-04-02", "--ref", "临科发〔2025〕31号")
    jcg("captable", "register", "临汾-9", "--holder", "ZS1:张三=300万", "--decided", "2024-12-02")
    jcg("fund", "invest", "F-SEED", "--enterprise", "临汾-9", "--amount", "200万", "--units", "50万",
        "--decided", "2025-05-01")
    jcg("fund", "fail-investment", "F-SEED", "--lot", "F-SEED:临汾-9:2025-05-01", "--reason", "技术路线失败",
        "--decided", "2026-03-01")
    jcg("policy", "revise", "P2.3b", "ratio", "1%", "--valid-from", "2028-07-01", "--quote", "技术经纪人奖励按交易额的1%",
        "--decided", "2028-06-20", "--ref", "临科发〔2028〕30号", officer=ap)
    jcg("officer", "rotate", OFFICER)
    jcg("officer", "role", OFFICER, "--role", "approver", officer=ap)  # pending: a second approver confirms
    jcg("party", "register", "企-2", "--name", "临汾新材料有限公司", "--kind", "企业", "--entered", "2024年12月1日",
        "--decided", "2025/1/2")
    jcg("grant", "external", "P6.7", "--recipient", "企-2", "--matter", "P6.7:ZL202310009", "--amount", "5万",
        "--source", "省级晋创谷政策", "--decided", "2025-04-01", "--ref", "晋科发〔2025〕8号")
    jcg("grant", "award", "P6.3b", "--recipient", "企-2", "--basis", "创新券面值=3000", "--basis", "创新券编号=Q-7",
        "--decided", "2025-03-01", "--ref", "临科发〔2025〕21号")
    for voucher in ("付-企-1", "付-企-2"):
        jcg("grant", "disburse", "企-2-A1", "--amount", "1000", "--voucher", voucher, "--decided", "2025-03-10")
    jcg("payment", "void", "付-企-1", "--source", "市财政", "--reason", "金额有误", "--decided", "2025-03-11", officer=ap)
    jcg("payment", "post", "付-企-2", "--source", "市财政", "--decided", "2025-03-11", officer=ap)
    jcg("grant", "claw-back", "U1-A1", "--amount", "1万", "--reason", "考核不合格", "--decided", "2025-09-01",
        "--ref", "临科发〔2025〕40号")
    jcg("audit", "checkpoint", "--out", str(tmp_path / "checkpoint-2.txt"))
    return provisioned_url


def run_reads(url: str, folder: Path, lang: str) -> dict[str, str]:
    """The output of each read run (keyed by its command line) with JCG_LANG=``lang`` ("": the
    locale's language); each must succeed."""
    runner = CliRunner()
    out: dict[str, str] = {}
    failed: dict[str, str] = {}
    for path, runs in read_invocations(folder).items():
        for args in runs:
            result = runner.invoke(cli.main, ["--db", url, "--officer", OFFICER, *path, *args],
                                   env={"JCG_LANG": lang} if lang else None)  # none: the locale's
            line = " ".join((*path, *args)).replace(str(folder) + "/", "")
            out[line] = result.output
            if result.exit_code != 0:
                failed[line] = result.output
    assert failed == {}, "\n".join(f"{k}: {v}" for k, v in failed.items())
    return out


def test_every_read_command_is_run_here() -> None:
    assert sorted(set(read_commands()) - set(read_invocations(Path()))) == []


def english_in(text: str) -> Counter[str]:
    """English words of a read's output (tests/builders.py english_words), proof syntax aside."""
    return english_words(PROOF_SYNTAX.sub("", text))


def test_every_read_command_prints_chinese_under_a_chinese_language(every_record: str, tmp_path: Path) -> None:
    found: dict[str, Counter[str]] = {}
    outputs = run_reads(every_record, tmp_path, "zh")
    for line, text in outputs.items():
        words = english_in(text)
        if words:
            found[line] = words
    assert found == {}, "English words:\n" + "\n".join(f"{k}: {dict(v)}" for k, v in found.items())
    assert "规则：" in outputs["policy show P2.4"] and "纳入" in outputs["audit trail L1"]


def test_the_same_reads_under_lang_c_are_english(monkeypatch: pytest.MonkeyPatch, every_record: str,
                                                 tmp_path: Path) -> None:
    for name in ("JCG_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    outputs = run_reads(every_record, tmp_path, "")
    proofs = ("audit prove", "audit consistency")  # a proof file only: the same in every language
    assert [line for line, text in outputs.items() if not english_in(text) and not line.startswith(proofs)] == []
    assert {line: [w for w in CHINESE_ONLY if w in text] for line, text in outputs.items()
            if any(w in text for w in CHINESE_ONLY)} == {}


# help pages: the usage line, the list of subcommands and choice lists ([text|json]) are codes
CHOICE_LIST = re.compile(r"\[[\w.\-]+(\|[\w.\-]+)+\]")
# names of products and formats, streams, and an example officer's login
NAMES = {"fava", "beancount", "excel", "open", "cap", "table", "format", "stderr", "stdout", "zhang",
         "ratio"}  # and a parameter the rule book names only once revised (P2.3b ratio)


def command_paths() -> list[tuple[str, ...]]:
    """Every group and command of the CLI (the root too)."""
    ctx = click.Context(cli.main)
    found: list[tuple[str, ...]] = [()]

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            found.append((*prefix, name))
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))

    walk(cli.main, ())
    return found


def code_words() -> set[str]:
    """Words an officer types as codes, which help texts name: command names, choice values, party
    kinds, basis choice words, parameter names."""
    from domain.aliases import BASIS_WORDS
    from domain.enterprise import KINDS
    from domain.parameters import parameter_book
    from ledger.exchange.batch_import import COLUMNS

    ctx = click.Context(cli.main)
    words = set(KINDS) | set(BASIS_WORDS.values()) | set(COLUMNS)
    book = parameter_book()
    words |= {p.name for c in catalogue() for p in book.versions(c)}
    words |= {c for p in cli.main.params if isinstance(p.type, click.Choice) for c in map(str, p.type.choices)}
    for path in command_paths()[1:]:
        command: click.Command | None = cli.main
        for name in path:
            assert isinstance(command, click.Group)
            command = command.get_command(ctx, name)
        assert command is not None
        words |= set(path[-1].split("-"))
        words |= {c for p in command.params if isinstance(p.type, click.Choice) for c in map(str, p.type.choices)}
    return {part.lower() for w in words for part in re.split(r"[_\-. ]", w)}


def help_prose(output: str) -> str:
    """A help page without its codes: the usage line, the subcommand names, choice lists."""
    lines, commands = [], False
    for line in output.splitlines():
        if line.startswith(("用法", "Usage")):
            continue
        if line.strip() in ("命令：", "命令:", "Commands:"):
            commands = True
            continue
        if commands and line.startswith("  "):
            line = line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else ""
        lines.append(re.sub(r"\w+…", "", CHOICE_LIST.sub("", line)))  # a word cut short is not a word
    return "\n".join(lines)


def test_every_help_page_is_chinese_under_a_chinese_language() -> None:
    runner, codes = CliRunner(), code_words() | NAMES
    found = {}
    for path in command_paths():
        out = runner.invoke(cli.main, ["--lang", "zh", *path, "--help"], prog_name="jcg")
        assert out.exit_code == 0, (path, out.output)
        words = {w: n for w, n in english_words(help_prose(out.output)).items() if w.lower() not in codes}
        if words:
            found[" ".join(path)] = words
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


REFUSED_READS = [
    ("party", "show", "NOPE"), ("grant", "show", "NOPE"), ("loan", "show", "NOPE"), ("project", "show", "NOPE"),
    ("fund", "show", "NOPE"), ("captable", "show", "NOPE"), ("audit", "trail", "NOPE"), ("audit", "prove", "99999"),
    ("audit", "consistency", "5", "3"), ("policy", "show", "P9.9"), ("report", "NOPE"),
    ("policy", "calc", "P2.4", "--recipient", "NOPE", "--basis", "x=1", "--decided", "2025-03-01"),
    ("policy", "what-if", "--revise", "P2.4.rate=ABC@2025-01-01"), ("report", "balances", "--as-of", "2025-13-01"),
    ("report", "balances", "--recipient", "U1"),
]


def test_refused_reads_say_why_in_chinese(provisioned_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    for args in [*REFUSED_READS, ("--db", f"sqlite:///{tmp_path}/none.sqlite", "party", "list")]:
        result = runner.invoke(cli.main, ["--lang", "zh", "--db", provisioned_url, "--officer", OFFICER, *args])
        assert result.exit_code != 0 and result.output.startswith("错误："), (args, result.output)
        assert not english_in(result.output), (args, result.output)
