"""P5.6 loss-split rules (pure): exact shares, half-up public shares, the bank takes the remainder;
recoveries returned pro rata exact to the fen."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compensation import BANK, check_basis, recovery_return
from domain.errors import CapExceeded, InvalidAmount, Refused
from domain.journal import CITY, PROVINCE
from domain.messages import Message
from domain.parameters import ParameterBook, load_values, parameter_book
from domain.rules import Split, split_loss
from tests.builders import covers

ON = date(2025, 6, 1)


def compensation_split(clause: str, loss: Decimal, on: date, book: ParameterBook | None = None, *,
                       province_rate: Decimal | None = None, city_rate: Decimal | None = None) -> Split:
    """The clause's loss-split rule, with the rule book shipped (or ``book``)."""
    return split_loss(clause, loss, on, book or parameter_book(), province_rate=province_rate, city_rate=city_rate)


@covers("P5.6a")
def test_333333_33_splits_116666_67_twice_and_99999_99() -> None:
    s = compensation_split("P5.6a", Decimal("333333.33"), ON)
    assert (s.province, s.city, s.bank) == (Decimal("116666.67"), Decimal("116666.67"), Decimal("99999.99"))
    assert s.bank != Decimal("100000.00")
    assert s.province + s.city + s.bank == s.loss
    assert s.trace == [
        "P5.6a: 省财政 35% × 333,333.33 = 116,666.67; 市财政 35% × 333,333.33 = 116,666.67; "
        "bank 333,333.33 − 233,333.34 = 99,999.99 (the remainder) → 省财政 116,666.67, 市财政 116,666.67, bank 99,999.99"
    ]
    assert s.versions == ["P5.6a.province_share@2024-11-05", "P5.6a.city_share@2024-11-05",
                          "P5.6a.bank_share@2024-11-05"]
    assert s.basis == {"loss": "333333.33"}


@covers("P5.6a", "P5.6b")
def test_the_split_is_a_rule_of_the_engine_with_its_trace_line_and_parameter_versions() -> None:
    """One registry, one parameter mechanism, one trace line: the split's line is the engine's
    builder's (``clause: steps → outcome``) and its versions are the rule book's of the date."""
    from domain.rules import RULES, find_rule
    from domain.rules.engine import SPLIT, trace_line

    assert {RULES["P5.6a"].kind, RULES["P5.6b"].kind} == {SPLIT}
    with pytest.raises(Refused, match="is a loan-loss split, not an award"):
        find_rule("P5.6a")
    s = compensation_split("P5.6b", Decimal("200000.00"), ON)
    line = s.trace[0]
    assert isinstance(line, Message)
    assert line == trace_line("P5.6b", line.params["steps"], line.params["shares"])
    assert s.versions == ["P5.6b.public_share_max@2024-11-05", "P5.6b.province_share@2024-11-05",
                          "P5.6b.city_share@2024-11-05"]


@covers("P5.6b")
def test_early_stage_loss_is_90_percent_public_45_45() -> None:
    s = compensation_split("P5.6b", Decimal("200000.00"), ON)
    assert s.shares == {PROVINCE: Decimal("90000.00"), CITY: Decimal("90000.00"), BANK: Decimal("20000.00")}
    assert s.public == Decimal("180000.00")
    assert any("within the 90% ceiling" in line for line in s.trace)


@covers("P5.6b")
def test_early_stage_split_may_be_decided_within_the_ceiling_only() -> None:
    s = compensation_split("P5.6b", Decimal("100000.00"), ON, province_rate=Decimal("0.5"),
                           city_rate=Decimal("0.4"))
    assert (s.province, s.city, s.bank) == (Decimal("50000.00"), Decimal("40000.00"), Decimal("10000.00"))
    with pytest.raises(CapExceeded, match="exceeds the 90% ceiling"):
        compensation_split("P5.6b", Decimal("100000.00"), ON, province_rate=Decimal("0.5"),
                           city_rate=Decimal("0.45"))
    with pytest.raises(Refused, match="fixed by the notice"):
        compensation_split("P5.6a", Decimal("100000.00"), ON, province_rate=Decimal("0.4"),
                           city_rate=Decimal("0.3"))


@covers("P5.6a")
@pytest.mark.parametrize("basis", ["interest", "fees", "利息", "penalty"])
def test_interest_and_fees_are_no_loss_basis(basis: str) -> None:
    with pytest.raises(Refused, match="principal"):
        check_basis(basis)
    check_basis("本金")


@covers("P5.6a")
def test_bad_inputs_are_refused() -> None:
    with pytest.raises(Refused, match="not a loan-loss split"):
        compensation_split("P5.7", Decimal("1000.00"), ON)
    with pytest.raises(InvalidAmount):
        compensation_split("P5.6a", Decimal("0"), ON)
    with pytest.raises(InvalidAmount):
        compensation_split("P5.6a", Decimal("1.005"), ON)
    with pytest.raises(Refused, match="not in force"):
        compensation_split("P5.6a", Decimal("1000.00"), date(2024, 1, 1))


def test_a_revised_default_applies_from_its_date_only() -> None:
    revision = """
[[value]]
clause = "P5.6b"
name = "province_share"
value = "0.50"
unit = "rate"
valid_from = 2026-01-01
quote = "revision"

[[value]]
clause = "P5.6b"
name = "city_share"
value = "0.40"
unit = "rate"
valid_from = 2026-01-01
quote = "revision"
"""
    from importlib import resources

    texts = [(f.name, f.read_text(encoding="utf-8"))
             for f in (resources.files("domain") / "params").iterdir() if f.name.endswith(".toml")]
    book = ParameterBook(load_values([*texts, ("rev.toml", revision)]))
    before = compensation_split("P5.6b", Decimal("1000.00"), date(2025, 12, 31), book)
    after = compensation_split("P5.6b", Decimal("1000.00"), date(2026, 1, 1), book)
    assert (before.province, before.city) == (Decimal("450.00"), Decimal("450.00"))
    assert (after.province, after.city) == (Decimal("500.00"), Decimal("400.00"))
    assert "P5.6b.province_share@2026-01-01" in after.versions


fen_amounts = st.integers(min_value=1, max_value=10**11).map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=0, max_value=4500).map(lambda n: Decimal(n) / 10000)


@settings(max_examples=200, deadline=None)
@given(loss=fen_amounts, pr=rates, cr=rates)
def test_shares_add_up_exactly_and_public_shares_within_half_a_fen(loss: Decimal, pr: Decimal,
                                                                  cr: Decimal) -> None:
    s = compensation_split("P5.6b", loss, ON, parameter_book(), province_rate=pr, city_rate=cr)
    assert s.province + s.city + s.bank == loss
    assert abs(s.province - pr * loss) <= Decimal("0.005") or (cr == 0 and s.province < pr * loss)
    assert abs(s.city - cr * loss) <= Decimal("0.015")  # half a fen, and a fen off for the ceiling
    assert s.public <= (Decimal("0.90") * loss).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert s.bank >= 0
    for share in s.shares.values():
        assert share == share.quantize(Decimal("0.01"))


def test_the_90_percent_ceiling_holds_after_rounding_the_city_giving_up_the_excess_fen() -> None:
    """P5.6b "最高可达 90%": 45 % × 1,000,000.10 = 450,000.045 each, half-up 450,000.05 + 450,000.05 =
    900,000.10 would exceed 90 % = 900,000.09 (rounded down); the fen comes off the city's share."""
    s = compensation_split("P5.6b", Decimal("1000000.10"), ON)
    assert s.shares == {PROVINCE: Decimal("450000.05"), CITY: Decimal("450000.04"), BANK: Decimal("100000.01")}
    assert s.trace == [
        "P5.6b: 省财政 45% × 1,000,000.10 = 450,000.05; 市财政 45% × 1,000,000.10 = 450,000.05; province + city 90% of "
        "the loss, within the 90% ceiling; ceiling: 900,000.10 rounded half-up exceeds 90% × 1,000,000.10 = "
        "900,000.09 (rounded down to the fen) by 0.01: 0.01 off 市财政's share → 450,000.04, which the bank bears; "
        "bank 1,000,000.10 − 900,000.09 = 100,000.01 (the remainder) → 省财政 450,000.05, 市财政 450,000.04, bank "
        "100,000.01"]
    tiny = compensation_split("P5.6b", Decimal("0.10"), ON)
    assert tiny.shares == {PROVINCE: Decimal("0.05"), CITY: Decimal("0.04"), BANK: Decimal("0.01")}
    # P5.6a is a fixed split, not a ceiling: unchanged
    a = compensation_split("P5.6a", Decimal("0.10"), ON)
    assert a.shares == {PROVINCE: Decimal("0.04"), CITY: Decimal("0.04"), BANK: Decimal("0.02")}


@settings(max_examples=200, deadline=None)
@given(loss=fen_amounts)
def test_early_stage_public_total_never_exceeds_90_percent_rounded_down(loss: Decimal) -> None:
    s = compensation_split("P5.6b", loss, ON)
    ceiling = (Decimal("0.90") * loss).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert s.province + s.city + s.bank == loss
    assert s.public <= ceiling
    assert ceiling - s.public <= Decimal("0.01")  # and reaches it but for a fen
    assert s.province == (Decimal("0.45") * loss).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert min(s.shares.values()) >= 0


@settings(max_examples=100, deadline=None)
@given(loss=fen_amounts)
def test_tech_transfer_shares_add_up_exactly(loss: Decimal) -> None:
    s = compensation_split("P5.6a", loss, ON)
    assert s.province + s.city + s.bank == loss
    assert abs(s.province - Decimal("0.35") * loss) <= Decimal("0.005")
    assert abs(s.bank - Decimal("0.30") * loss) <= Decimal("0.01")


# recoveries -------------------------------------------------------------------------------

SHARES = {PROVINCE: Decimal("116666.67"), CITY: Decimal("116666.67"), BANK: Decimal("99999.99")}


def test_a_recovery_is_returned_pro_rata_exact_to_the_fen() -> None:
    r = recovery_return("P5.6a", Decimal("10000.00"), SHARES, {})
    assert r.parts == {PROVINCE: Decimal("3500.00"), CITY: Decimal("3500.00"), BANK: Decimal("3000.00")}
    odd = recovery_return("P5.6a", Decimal("100.01"), SHARES, {})
    assert sum(odd.parts.values()) == Decimal("100.01")
    assert odd.parts == {PROVINCE: Decimal("35.00"), CITY: Decimal("35.00"), BANK: Decimal("30.01")}


def test_a_recovery_beyond_the_outstanding_loss_is_refused() -> None:
    with pytest.raises(CapExceeded, match="outstanding"):
        recovery_return("P5.6a", Decimal("333333.34"), SHARES, {})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40_000_000), min_size=1, max_size=6), fen_amounts)
def test_recoveries_never_return_more_than_borne_and_a_full_recovery_returns_every_share(
    cents: list[int], loss: Decimal
) -> None:
    s = compensation_split("P5.6a", loss, ON)
    returned = {k: Decimal("0.00") for k in s.shares}
    for c in cents:
        outstanding = loss - sum(returned.values())
        amount = min(Decimal(c) / 100, outstanding)
        if amount <= 0:
            break
        r = recovery_return("P5.6a", amount, s.shares, returned)
        assert sum(r.parts.values()) == amount
        total = sum(returned.values()) + amount
        for k, part in r.parts.items():
            assert part >= 0
            returned[k] += part
            assert returned[k] <= s.shares[k]
            assert abs(returned[k] - total * s.shares[k] / loss) <= Decimal("0.01")  # no rounding drift
    rest = loss - sum(returned.values())
    if rest > 0:
        r = recovery_return("P5.6a", rest, s.shares, returned)
        for k, part in r.parts.items():
            returned[k] += part
    assert returned == s.shares


ARROW = re.compile(r"(\S+) ([\d,.]+) × ([\d,.]+) / ([\d,.]+) → ([\d,.-]+)")


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6))
def test_every_arrow_in_a_recovery_trace_is_what_the_formula_gives(cents: list[int]) -> None:
    """The trace shows the cumulative computation really applied: total × share / loss, half-up,
    then what was returned before; edge fen moved to stay within a share are named apart."""
    shares = {PROVINCE: Decimal("116665.97"), CITY: Decimal("116665.97"), BANK: Decimal("99999.39")}
    returned = {k: Decimal("0.00") for k in shares}
    for c in cents:
        r = recovery_return("P5.6a", Decimal(c) / 100, shares, returned)
        arrows = ARROW.findall(r.trace[0])
        assert [a[0] for a in arrows] == [PROVINCE, CITY]
        for _, total, share, loss, shown in arrows:
            exact = _num(total) * _num(share) / _num(loss)
            assert _num(shown) == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        moved = len(r.trace) > 1
        for k, part in r.parts.items():
            returned[k] += part
            if not moved:
                assert f"less {returned[k] - part:,.2f} returned before = {part:,.2f}" in r.trace[0]


def test_the_one_fen_recovery_trace_names_the_fen_moved_at_the_edge() -> None:
    shares = {PROVINCE: Decimal("116665.97"), CITY: Decimal("116665.97"), BANK: Decimal("99999.39")}
    first = recovery_return("P5.6a", Decimal("0.01"), shares, {})
    assert first.parts == {PROVINCE: Decimal("0.00"), CITY: Decimal("0.00"), BANK: Decimal("0.01")}
    second = recovery_return("P5.6a", Decimal("0.01"), shares, first.parts)
    assert "省财政 0.02 × 116,665.97 / 333,331.33 → 0.01, less 0.00 returned before = 0.01" in second.trace[0]
    assert "市财政 0.02 × 116,665.97 / 333,331.33 → 0.01" in second.trace[0]
    assert second.trace[1] == ("P5.6a: kept within what each bearer bears: 0.01 from 省财政 to bank (bank would give "
                               "money back) → now 省财政 0.00, 市财政 0.01, bank 0.00")
    assert sum(second.parts.values()) == Decimal("0.01")


@covers("P5.6b")
def test_a_split_reads_its_basis_like_any_rule_in_english_or_chinese_words() -> None:
    from domain.rules import split_of_basis

    english = split_of_basis("P5.6b", {"loss": "1,000,000.00", "province_rate": "50%", "city_rate": "0.4"}, ON,
                             parameter_book())
    chinese = split_of_basis("P5.6b", {"本金损失": "100万", "省级比例": "50%", "市级比例": "40%"}, ON, parameter_book())
    assert english.shares == chinese.shares == {PROVINCE: Decimal("500000.00"), CITY: Decimal("400000.00"),
                                                BANK: Decimal("100000.00")}
    assert chinese.basis == {"loss": "1000000.00", "province_rate": "50%", "city_rate": "40%"}
    with pytest.raises(Refused, match="basis loss is required"):
        split_of_basis("P5.6a", {}, ON, parameter_book())
