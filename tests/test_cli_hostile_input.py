"""Every writing command driven with generated hostile values, on SQLite and PostgreSQL.

For each example one value of one command (an argument, an option, a CSV cell) is replaced
by something hostile: over-long text, NUL and other control characters, zero-width and bidi
characters, lone surrogates, private-use characters, other scripts' digits, ``_`` in
numbers, loose dates, huge numbers. The other values are plausible, so the command gets as
far as the hostile one lets it. Whatever happens:

- the exit code is 0, 1 or 2 and nothing escapes as a traceback;
- a refusal (1 or 2) writes nothing (the notification log's max id is unchanged);
- afterwards every report, `audit replay` and `audit trail` still work.

The commands are read from the CLI itself (every command with ``--decided`` or
``--request-id``, plus `grant import` and `audit checkpoint`), so a new writing command is
driven too. Bounded here (``JCG_HOSTILE_EXAMPLES``, default 30 per backend); bench/hostile_input.py
runs the long version.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from ledger import Ledger
from tests.builders import writing_commands
from tests.conftest import APPROVER, OFFICER, fixed_clock

EXAMPLES = int(os.environ.get("JCG_HOSTILE_EXAMPLES", "30"))

NASTY = [
    "\x00", "U1\x00", "\u200b", "U1\u200b", "\u202eU1", "U1\n", "\n", " U1", "U1 ", "\t", "\x1b[2J", "\ud800",
    "U1\udcff", "\ue000", "\uffff", "\u2028", "a" * 201, "U" * 300, "临" * 201, "x" * 5000, "١٠٠", "५००", "๑๐๐",
    "1_000", "1_0%", "20250101", "2025-W10-1", "2025-060", "2025-02-30", "999999999999", "-1", "1e9", "NaN",
    "Infinity", "0", "", "Ｕ1", "%s%n", "'; DROP TABLE jcg_events; --", "../../etc/passwd", "${HOME}", "🙂" * 70,
    "e\u0301", "10%%", "100万亿", "1" * 40, "P2.4\x00", "U1-A1\n",
]
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(min_size=150, max_size=400),
    st.builds(lambda a, b: a + b, st.sampled_from(["U1", "100", "2025-03-01", "10%", "名称", "P2.4", "U1-A1"]),
              st.sampled_from(["\x00", "\u200b", "\u202e", "\n", " ", "\ud800", "_0", "\ue000", "٠"])),
)

# plausible values by parameter name (the command's group picks among codes)
CODES = {"party": "U1", "fund": "F1", "project": "PJ1", "loan": "L1", "captable": "E1"}
NAMES = {"party": "名称", "fund": "基金", "officer": "o9"}
VALID: dict[str, Any] = {
    "recipient": "U1", "enterprise": "E1", "bank": "B1", "borrower": "E1", "fund_code": "F1", "clause": "P2.4",
    "award": "U1-A1", "amount": "100", "units": "100", "price": "100", "principal": "100万", "spent": "0",
    "reason": "原因", "matter": "P6.7:ZL1", "source": "市财政", "qualification": "高新技术企业", "title": "项目",
    "max_stake": "20%", "buyer": "张三", "target": "PJ2", "payer": "市财政", "term_months": "12",
    "holders": ("张三=100万",), "entered": "2024-12-01", "start": "2025-03-01",
}
P24 = ("contract_value=1000000", "contract=H1", "registered_on=2025-02-01", "counterparty=E1")
BASIS = {"grant": P24, "policy": P24}
READS = (("report", "balances"), ("report", "recipients"), ("report", "caps"), ("report", "budgets"),
         ("report", "funds"), ("report", "loans"), ("audit", "replay"), ("audit", "trail", "U1"),
         ("audit", "trail", "U1-A1"))


COMMANDS = writing_commands()


def plausible(group: str, param: click.Parameter) -> Any:
    """A plausible value for one parameter (None: leave it out)."""
    name = param.name or ""
    if name == "code":
        return CODES.get(group, "X1")
    if name == "name":
        return NAMES.get(group, "名称")
    if name == "basis":
        return BASIS.get(group, "principal") if param.multiple else "principal"
    if name in VALID:
        return VALID[name]
    if isinstance(param.type, click.Choice):
        return param.type.choices[0]
    if type(param.type).__name__ == "DateType":
        return "2025-03-01"
    return "X1" if param.required else None


def arguments(path: tuple[str, ...], command: click.Command, hostile_param: str | None, hostile: str,
              tmp: Path) -> list[str]:
    """The command line with one parameter's value replaced by the hostile one."""
    args = list(path)
    options: list[str] = []
    for param in command.params:
        if param.name == "help" or (isinstance(param, click.Option) and param.is_flag):
            continue
        if path == ("grant", "import") and param.name == "file":
            args.append(str(csv_with(hostile, hostile_param or "", tmp)))
            continue
        value = hostile if param.name == hostile_param else plausible(path[0], param)
        if value is None:
            continue
        values = list(value) if isinstance(value, tuple) else [value]
        if param.name == hostile_param and getattr(param, "multiple", False) and path[0] in BASIS:
            values = [*(b for b in BASIS[path[0]] if not b.startswith("contract=")), f"contract={hostile}"]
        if isinstance(param, click.Argument):
            args += [str(v) for v in values]
        else:
            for v in values:
                options += [param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0], str(v)]
    return args + options


CSV_COLUMNS = ("request_id", "action", "clause", "recipient", "basis", "amount", "decided", "ref", "reason",
               "source", "award", "voucher", "matter")
CSV_ROW = {"request_id": "imp-1", "action": "award", "clause": "P2.4", "recipient": "U1",
           "basis": "contract_value=1000000;contract=H9", "decided": "2025-03-01", "ref": "临科发〔2025〕9号"}


def csv_with(hostile: str, column: str, tmp: Path) -> Path:
    column = column if column in CSV_COLUMNS else "ref"
    row = CSV_ROW | {column: hostile}
    quoted = ['"' + row.get(c, "").replace('"', '""') + '"' for c in CSV_COLUMNS]
    path = tmp / "rows.csv"
    path.write_bytes((",".join(CSV_COLUMNS) + "\n" + ",".join(quoted) + "\n").encode("utf-8", "surrogatepass"))
    return path


@pytest.fixture
def seeded(provisioned_url: str, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Callable[..., Result], Ledger]]:
    # a hostile value may legitimately name an output file (audit checkpoint --out): it lands here
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    runner = CliRunner()

    def jcg(*args: str, officer: str = OFFICER) -> Result:
        return runner.invoke(cli.main, ["--db", provisioned_url, "--officer", officer, *args])

    for args in (("party", "register", "U1", "--name", "高校", "--kind", "university"),
                 ("party", "register", "E1", "--name", "企业", "--kind", "enterprise"),
                 ("party", "register", "B1", "--name", "银行", "--kind", "bank")):
        r = jcg(*args, "--entered", "2024-12-01", "--decided", "2025-01-02")
        assert r.exit_code == 0, r.output + r.stderr
    r = jcg("grant", "award", "P2.4", "--recipient", "U1", *(a for b in P24 for a in ("--basis", b)),
            "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号")
    assert r.exit_code == 0, r.output + r.stderr
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    yield jcg, ledger
    ledger.close()


def no_traceback(r: Result) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), (
        f"{type(r.exception).__name__}: {r.exception}")
    assert "Traceback" not in r.output + r.stderr


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_never_break_the_ledger(seeded: tuple[Callable[..., Result], Ledger], tmp_path: Path,
                                               data: st.DataObject) -> None:
    jcg, ledger = seeded
    path, command = data.draw(st.sampled_from(COMMANDS), label="command")
    targets = [p.name for p in command.params
               if p.name != "help" and not (isinstance(p, click.Option) and p.is_flag) and p.name]
    if path == ("grant", "import"):
        targets = list(CSV_COLUMNS)
    target = data.draw(st.sampled_from(targets), label="parameter")
    hostile = data.draw(HOSTILE, label="value")
    args = arguments(path, command, target, hostile, tmp_path)
    officer = APPROVER if path[0] in {"officer"} or path[-1] == "approve" else OFFICER
    before = ledger.recorder.max_notification_id()
    r = jcg(*args, officer=officer)
    no_traceback(r)
    assert r.exit_code in (0, 1, 2), (args, r.output, r.stderr)
    if r.exit_code != 0:
        assert ledger.recorder.max_notification_id() == before, (args, r.stderr)
        assert r.stderr.strip(), "a refusal says why"
    for read in READS if data.draw(st.integers(0, 4), label="read") == 0 else ():
        rr = jcg(*read)
        no_traceback(rr)
        assert rr.exit_code == 0, (args, read, rr.output, rr.stderr)


def test_reads_work_after_every_hostile_command(seeded: tuple[Callable[..., Result], Ledger], tmp_path: Path) -> None:
    """One deterministic pass: each writing command once with a nasty value (NUL, 5,000
    characters or a bidi override) in its first required parameter, then every read."""
    jcg, ledger = seeded
    for i, (path, command) in enumerate(COMMANDS):
        first = next((p.name for p in command.params if p.name and p.required), None)
        if first is None:
            continue  # nothing typed to make hostile (audit checkpoint)
        for hostile in (("U1\x00", "x" * 5000, "\u202eU1")[i % 3],):
            before = ledger.recorder.max_notification_id()
            r = jcg(*arguments(path, command, first, hostile, tmp_path),
                    officer=APPROVER if path[0] == "officer" else OFFICER)
            no_traceback(r)
            assert r.exit_code in (1, 2), (path, first, r.output, r.stderr)
            assert ledger.recorder.max_notification_id() == before
    for read in READS:
        r = jcg(*read)
        no_traceback(r)
        assert r.exit_code == 0, (read, r.output, r.stderr)
