"""Basis values are stored in one spelling, and that spelling parses back to the same value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import Refused
from domain.rules.engine import RULES, canonical_basis


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("60%", "60%"), ("0.6", "60%"), ("60.0%", "60%"), ("101%", "101%"), ("100%", "100%"), ("50.5%", "50.5%")],
)
def test_percentages_are_stored_as_percentages(typed: str, stored: str) -> None:
    assert canonical_basis("P2.5", {"rate": typed})["rate"] == stored


@pytest.mark.parametrize("typed", ["60%", "0.6", "101%", "50.5%", "1", "0.5"])
def test_the_stored_spelling_parses_back_to_the_same_value(typed: str) -> None:
    key = next(k for k in RULES["P2.5"].keys if k.name == "rate")
    once = canonical_basis("P2.5", {"rate": typed})["rate"]
    assert key.parse("P2.5", once) == key.parse("P2.5", typed)
    assert canonical_basis("P2.5", {"rate": once})["rate"] == once


@pytest.mark.parametrize(("typed", "stored"), [("50万", "500000.00"), ("500,000.00", "500000.00"), ("1亿元", "100000000.00")])
def test_amounts_are_stored_to_the_fen(typed: str, stored: str) -> None:
    assert canonical_basis("P2.4", {"contract_value": typed})["contract_value"] == stored


def test_a_rate_above_the_whole_rent_is_refused_for_what_it_is() -> None:
    key = next(k for k in RULES["P2.5"].keys if k.name == "rate")
    assert key.parse("P2.5", canonical_basis("P2.5", {"rate": "101%"})["rate"]) == Decimal("1.01")
    with pytest.raises(Refused, match="write a percentage as 60%"):
        key.parse("P2.5", "1.01")  # a bare fraction above 1 is ambiguous: refused


def test_every_chinese_basis_label_names_a_key_of_some_rule() -> None:
    """A label that names no rule's key would be accepted by no clause (a stale or mistyped alias)."""
    from domain.aliases import BASIS_LABELS

    keys = {k.name for r in RULES.values() for k in r.keys}
    assert {label: key for label, key in BASIS_LABELS.items() if key not in keys} == {}


def test_a_basis_typed_with_chinese_labels_and_words_is_stored_with_the_rules_keys() -> None:
    stored = canonical_basis("P2.1a", {"已缴租金": "10万元", "租用面积": "500", "场地类型": "厂房", "租金年度": "2025"})
    assert stored == canonical_basis("P2.1a", {"rent_paid": "100000", "area": "500", "space": "factory", "year": "2025"})
