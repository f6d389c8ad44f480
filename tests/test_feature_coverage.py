"""Coverage of the Chinese features cannot rot silently.

- every money clause (clause index, and every clause the rule parameters cite) has tagged
  scenarios, at least two cases (the normal amount and a boundary or refusal);
- a feature never cites a clause id that does not exist (tags, titles, descriptions);
- every scenario written in a file is collected and becomes a test (a full-width colon
  after a keyword silently turns a scenario into description text; this catches it);
- every file starts with `# language: zh-CN`, and every quoted policy line (`原文:`) is
  really in the policy text;
- a person who reads only Chinese can follow each step: no step line holds an English word
  (the steps run the ledger in Chinese and quote what it prints).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pytest_bdd.parser import Feature, FeatureParser
from pytest_bdd.scenario import scenario_wrapper_template_registry

import tests.test_features as feature_tests
from domain.clauses import catalogue

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
PARAMS = ROOT / "domain" / "params"
POLICY = ROOT / "docs" / "policy" / "linzhengbanfa-2024-34.txt"  # the notice, kept in the project's own tree

KEYWORDS = ("场景大纲", "场景", "剧本大纲", "剧本", "功能", "背景", "例子", "规则")
FULL_WIDTH_COLON = re.compile(rf"^\s*({'|'.join(KEYWORDS)})\s*：")
SCENARIO_LINE = re.compile(r"^\s*(场景大纲|场景|剧本大纲|剧本)\s*:")
CLAUSE_ID = re.compile(r"(?<![\w.])([GP]\d+\.\d+[a-z]?)(?![\w.])")
QUOTE_LINE = re.compile(r"^\s*原文:\s*(.+?)\s*$")
POLICY_DOCUMENTS = ("g_general", "p2_", "p3_", "p4_", "p5_", "p6_")
STEP_LINE = re.compile(r"^\s*(假如|假设|假定|当|那么|并且|而且|同时|但是|\*)\s")
# What a step may write in Latin letters: the `jcg` command line the officer types, parameter
# versions, dates, codes (U1, PJ-1, F-SEED, HT-2025-001, ZL202310001234.5, officer-1) and clause ids.
NOT_WORDS = re.compile(
    r'"jcg [^"]*"'
    r"|[GP]\d+\.\d+[a-z]?\.\w+@\d{4}-\d{2}-\d{2}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\b[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+\b"
    r"|\b[A-Z]+\d[A-Za-z0-9.]*"
    r"|\b[a-z]+-\d+\b"
)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def feature_files() -> list[Path]:
    return sorted(FEATURES.glob("*.feature"))


@cache
def parsed(path: Path) -> Feature:
    return FeatureParser(str(FEATURES), path.name).parse()


def money_clause_ids() -> set[str]:
    """Money clauses of the clause index, and every clause the rule parameters give an amount, rate or cap."""
    ids = {c.id for c in catalogue().values() if c.money}
    for toml in PARAMS.glob("*.toml"):
        for value in tomllib.loads(toml.read_text(encoding="utf-8")).get("value", []):
            if catalogue().get(value["clause"]) is not None and (
                catalogue()[value["clause"]].money or value.get("unit") in {"yuan", "rate"}
            ):
                ids.add(value["clause"])
    return ids


def cases_per_tag() -> Counter[str]:
    """How many test cases (scenarios, or outline rows) carry each tag."""
    cases: Counter[str] = Counter()
    for path in feature_files():
        feature = parsed(path)
        for template in feature.scenarios.values():
            inherited = template.tags | feature.tags | (template.rule.tags if template.rule else set())
            if not template.examples:
                for tag in inherited:
                    cases[tag] += 1
                continue
            for examples in template.examples:
                rows = len(examples.examples)
                for tag in inherited | examples.tags:
                    cases[tag] += rows
    return cases


def normalise(text: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "“": '"', "”": '"'})
    return re.sub(r"\s+", "", text.translate(table))


def test_there_are_features() -> None:
    assert len(feature_files()) >= 3


def test_every_money_clause_has_tagged_scenarios() -> None:
    cases = cases_per_tag()
    missing = sorted(c for c in money_clause_ids() if cases[c] == 0)
    assert not missing, f"money clauses without a tagged scenario: {', '.join(missing)}"
    thin = sorted(c for c in money_clause_ids() if cases[c] < 2)
    assert not thin, f"money clauses with only one case (need the normal amount and a boundary or refusal): {thin}"


BOUNDARY = "边界"


def boundary_cases() -> Counter[str]:
    """Per clause tag: the cases of scenarios named as boundaries (``边界``: a value just inside
    and one just outside the clause's cap, floor, ratio or date)."""
    cases: Counter[str] = Counter()
    for path in feature_files():
        feature = parsed(path)
        for template in feature.scenarios.values():
            if BOUNDARY not in template.name:
                continue
            inherited = template.tags | feature.tags | (template.rule.tags if template.rule else set())
            if not template.examples:
                for tag in inherited:
                    cases[tag] += 2  # one scenario that steps across the boundary: inside, then outside
                continue
            for examples in template.examples:
                for tag in inherited | examples.tags:
                    cases[tag] += len(examples.examples)
    return cases


def test_every_money_clause_has_a_boundary_scenario() -> None:
    """A value just inside and one just outside, for every money clause (a changed cap, floor or
    date rule then fails a feature, not only a unit test)."""
    cases = boundary_cases()
    missing = sorted(c for c in money_clause_ids() if cases[c] < 2)
    assert not missing, f"money clauses without a boundary scenario (名称含“边界”, inside and outside): {missing}"


def unknown_clause_ids(feature: Feature) -> list[str]:
    """Clause ids a feature cites (tags, titles, descriptions) that the clause index does not have."""
    cited = set(CLAUSE_ID.findall(" ".join([feature.name, feature.description])))
    for template in feature.scenarios.values():
        cited |= set(CLAUSE_ID.findall(f"{template.name} {template.description}"))
        cited |= {t for t in template.tags if CLAUSE_ID.fullmatch(t)}
        cited |= {t for ex in template.examples for t in ex.tags if CLAUSE_ID.fullmatch(t)}
    cited |= {t for t in feature.tags if CLAUSE_ID.fullmatch(t)}
    return sorted(cited - set(catalogue()))


@pytest.mark.parametrize("path", feature_files(), ids=lambda p: p.name)
def test_feature_cites_only_existing_clauses(path: Path) -> None:
    unknown = unknown_clause_ids(parsed(path))
    assert not unknown, f"{path.name} cites clause ids that do not exist: {unknown}"


def test_a_cited_clause_that_does_not_exist_is_caught(tmp_path: Path) -> None:
    (tmp_path / "bad.feature").write_text(
        "# language: zh-CN\n功能: 引用了不存在的条款 P2.9\n\n  @P7.1\n  场景: 按 P2.4 记录\n"
        "    假如 已登记高校 \"U1\" 山西师范大学\n",
        encoding="utf-8",
    )
    assert unknown_clause_ids(FeatureParser(str(tmp_path), "bad.feature").parse()) == ["P2.9", "P7.1"]


@pytest.mark.parametrize("path", feature_files(), ids=lambda p: p.name)
def test_every_tag_is_a_clause_id(path: Path) -> None:
    feature = parsed(path)
    tags = set(feature.tags)
    for template in feature.scenarios.values():
        tags |= template.tags | {t for ex in template.examples for t in ex.tags}
    assert not sorted(tags - set(catalogue())), f"{path.name}: tags that are not clause ids"


@pytest.mark.parametrize("path", feature_files(), ids=lambda p: p.name)
def test_every_written_scenario_is_collected(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# language: zh-CN", f"{path.name}: first line must be '# language: zh-CN'"
    bad = [i + 1 for i, line in enumerate(lines) if FULL_WIDTH_COLON.match(line)]
    assert not bad, f"{path.name}: full-width colon after a keyword on lines {bad} (write an ASCII ':')"
    written = sum(1 for line in lines if SCENARIO_LINE.match(line))
    feature = parsed(path)
    assert written > 0, f"{path.name} has no scenario"
    assert len(feature.scenarios) == written, (
        f"{path.name}: {written} scenarios written, {len(feature.scenarios)} parsed (duplicate titles?)"
    )
    generated = [
        fn for name in dir(feature_tests) if name.startswith("test_")
        if (fn := getattr(feature_tests, name)) in scenario_wrapper_template_registry
        and scenario_wrapper_template_registry[fn].feature.rel_filename == feature.rel_filename
    ]
    assert len(generated) == written, f"{path.name}: {written} scenarios written, {len(generated)} became tests"


@pytest.mark.parametrize("path", feature_files(), ids=lambda p: p.name)
def test_quoted_policy_text_is_in_the_policy(path: Path) -> None:
    quotes = [m.group(1) for line in path.read_text(encoding="utf-8").splitlines() if (m := QUOTE_LINE.match(line))]
    if path.name.startswith(POLICY_DOCUMENTS):
        assert quotes, f"{path.name} must open with the clause text it covers (lines '原文: …')"
    policy = normalise(POLICY.read_text(encoding="utf-8"))
    not_found = [q for q in quotes if normalise(q) not in policy]
    assert not not_found, f"{path.name}: quoted text not found in the policy: {not_found}"


def test_scenario_counts_per_feature(record_property: pytest.RecordProperty) -> None:
    """The number of scenarios and cases per file, for the report (and at least one each)."""
    counts = {p.name: len(parsed(p).scenarios) for p in feature_files()}
    record_property("scenarios_per_feature", counts)
    assert all(counts.values()), counts


def test_a_full_width_colon_is_caught(tmp_path: Path) -> None:
    """The trap itself: `场景：` parses as description text, so only the line check sees it."""
    (tmp_path / "trap.feature").write_text(
        "# language: zh-CN\n功能: 陷阱\n\n  场景：全角冒号\n    假如 已登记高校 \"U1\" 山西师范大学\n",
        encoding="utf-8",
    )
    try:
        scenarios = len(FeatureParser(str(tmp_path), "trap.feature").parse().scenarios)
    except Exception:  # the parser may also refuse the file outright
        scenarios = 0
    assert scenarios == 0
    assert FULL_WIDTH_COLON.match("  场景：全角冒号")


def english_in_steps(text: str) -> list[tuple[int, str]]:
    """(line number, word) of every English word of 3+ letters on a step line, outside what may stay."""
    found, in_docstring = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(('"""', "```")):
            in_docstring = not in_docstring  # a docstring under a step is the command line typed
            continue
        if in_docstring or QUOTE_LINE.match(line) or not STEP_LINE.match(line):
            continue
        found += [(number, word) for word in ENGLISH_WORD.findall(NOT_WORDS.sub(" ", line))]
    return found


@pytest.mark.parametrize("path", feature_files(), ids=lambda p: p.name)
def test_steps_read_in_chinese_only(path: Path) -> None:
    """A person who reads only Chinese can follow each feature file."""
    words = english_in_steps(path.read_text(encoding="utf-8"))
    assert not words, (
        f"{path.name}: English words on step lines {words}; quote what the ledger prints in Chinese "
        "(a refusal may be named in REFUSALS in tests/steps/common.py)"
    )


def test_an_english_expectation_is_caught() -> None:
    feature = (
        "# language: zh-CN\n功能: 示例\n  原文: 英文不计 (English in a quote is fine)\n  场景: 示例\n"
        '    当 经办人在命令行执行 "jcg grant award P2.4 --recipient U1 --decided 2025-03-01"\n'
        '    并且 奖励 "U1-A1" 记录了参数版本 "P2.4.rate@2024-11-05"\n'
        '    并且 项目 "PJ-1" 状态为 "已退出", 基金 "F-SEED", 合同 HT-2025-001, 事项 P6.7:ZL202310001234.5\n'
        '    并且 审批人 "approver-2" 批准\n'
        '    那么 拒绝理由提到 "is not finished"\n'
        "    并且 计算过程包含 \"ABOVE the 80% tolerance\"\n"
        '    并且 项目 "PJ-1" 状态为 "exited"\n'
    )
    assert english_in_steps(feature) == [
        (9, "not"), (9, "finished"), (10, "ABOVE"), (10, "the"), (10, "tolerance"), (11, "exited")
    ]
