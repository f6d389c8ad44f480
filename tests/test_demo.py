"""`jcg demo` (the README's main job) tells the whole story and leaves nothing behind but its ledger."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli


def test_the_demo_runs_every_chapter_and_balances(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    r = CliRunner().invoke(cli.main, ["demo", "--db", f"sqlite:///{tmp_path}/demo.sqlite"])
    assert r.exit_code == 0, r.output
    out = r.output
    for expected in [
        "registered party ENT-001 临汾光电科技有限公司",
        "P2.4: 2% × 7,654,321.09 = 153,086.42",  # an award computed by its rule
        "clawed back 20,000.00",
        "省财政 116,666.67, 市财政 116,666.67, bank BANK-JS bears 99,999.99",  # P5.6a split, exact
        "= 20%",  # the converted stake
        "for 3,240,000.00",  # buyback at principal plus 4 % simple interest for two years
        "realised gain 3,240,000.00 − 3,000,000.00 = 240,000.00",
        "project PJ-CELL failed",
    ]:
        assert expected in out, expected
    total = next(line for line in out.splitlines() if "sum of all postings" in line)
    assert total.split()[-1] == "0.00"
    assert out.strip().splitlines()[-1].endswith("passed")
    assert list(scratch.iterdir()) == [], "the demo's throwaway keys are removed"
    assert (tmp_path / "demo.sqlite").exists()


def test_the_demo_starts_anew_each_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    first = CliRunner().invoke(cli.main, ["demo", "--db", url])
    second = CliRunner().invoke(cli.main, ["demo", "--db", url])
    assert first.exit_code == second.exit_code == 0
    count = lambda text: next(line for line in text.splitlines() if "audit verify:" in line)  # noqa: E731
    assert count(first.output) == count(second.output)
