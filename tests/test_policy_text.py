"""The rule book against the notice: every parameter quotes the policy text verbatim, and
docs/rules.md is generated from the code and current.

The notice is kept in the project's own tree (docs/policy/), so these tests never read
anything outside the repository.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.clauses import catalogue
from domain.parameters import Parameter, ParameterBook, parameter_book
from domain.rules import RULES
from projections.views.rules import reference

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "docs" / "policy" / "linzhengbanfa-2024-34.txt"
RULES_MD = ROOT / "docs" / "rules.md"


def policy_text() -> str:
    """The notice as one line: its line breaks are page and paragraph breaks of the printed
    document (a sentence may run across one), so they are the only thing taken out."""
    return POLICY.read_text(encoding="utf-8").replace("\n", "")


def verbatim(quote: str, text: str) -> bool:
    return quote in text


def every_parameter() -> list[Parameter]:
    book = parameter_book()
    return [p for clause in book.clauses() for p in book.versions(clause)]


def policy_parameters() -> list[Parameter]:
    """The parameters of the notice's clauses (ledger settings such as 内控 quote their own source)."""
    return [p for p in every_parameter() if p.clause in catalogue()]


def test_the_notice_is_in_the_project_tree() -> None:
    text = policy_text()
    assert "临政办发〔2024〕34号" in text and "本政策措施由市科技局负责解释" in text


@pytest.mark.parametrize("p", policy_parameters(), ids=lambda p: p.version)
def test_every_parameter_quote_is_verbatim_in_the_notice(p: Parameter) -> None:
    assert p.quote.strip() == p.quote and p.quote, f"{p.version}: empty or padded quote"
    assert verbatim(p.quote, policy_text()), (
        f"{p.version}: quote 「{p.quote}」 is not verbatim in {POLICY.name}; put a reading in `reading`, "
        "never in the quote")


def test_a_reading_inside_a_quote_is_caught() -> None:
    """The check itself can fail: the old P2.5 quote carried its reading in parentheses."""
    assert not verbatim("场地租金支持 (reading: the support never exceeds the rent paid, at most 100 %)",
                        policy_text())
    assert not verbatim("省市风险补偿比例最高可达 90%(省、市各半:45%、45%,按 CLAUSES.md 的解读)", policy_text())
    assert verbatim("每家机构每年最高补贴 100 万元", policy_text())  # across a page break of the notice


def test_docs_rules_md_is_generated_from_the_code_and_current() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == reference(parameter_book()) + "\n", (
        "docs/rules.md is stale: run .venv/bin/python -m projections.views.rules > docs/rules.md")


def test_docs_show_the_matter_key_each_rule_computes() -> None:
    """The documented key is the shape the engine fills in (no separate strings to drift)."""
    text = RULES_MD.read_text(encoding="utf-8")
    for rule in RULES.values():
        if rule.shape:
            assert f"G.3 matter key: {rule.shape}" in text, rule.clause
        assert (rule.body.__doc__ or "").strip(), f"{rule.clause}: the rule body needs a docstring (docs/rules.md)"


def test_a_changed_parameter_makes_the_docs_stale() -> None:
    book = parameter_book()
    rate = book.at("P2.4", "rate", date(2025, 1, 1))
    revised = Parameter("P2.4", "rate", rate.value * 2, "rate", date(2026, 1, 1), rate.quote)
    assert reference(ParameterBook([*every_parameter(), revised])) != reference(book)
