"""Boundary field types (domain.fields): what every entry point accepts and refuses."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import fields
from domain.errors import InvalidAmount, InvalidDate, Refused
from domain.fields import InvalidField
from domain.rules.basis import Key


@pytest.mark.parametrize("code", ["U1", "ENT-001", "张三", "山西师范大学", "a.b_c-1", "Ü1"])
def test_codes_as_officers_type_them(code: str) -> None:
    assert fields.PARTY_CODE(code) == code


@pytest.mark.parametrize(("code", "reason"), [
    ("U1\u200b", "invisible format character"),  # prints exactly like U1
    ("U\u202eX1", "invisible format character"),  # right-to-left override
    ("U1\n", "control character"),
    ("U1\x00", "control character"),
    ("U1\ud800", "surrogate"),
    ("U1\ue000", "private-use"),
    ("U1\u2028", "line separator"),
    (" U1", "starts or ends with a space"),
    ("U1 ", "starts or ends with a space"),
    ("U 1", "only letters, digits"),
    ("U1\u3000", "starts or ends with a space"),
    ("Ｕ1", "full-width"),
    ("-U1", "only letters, digits"),
    ("U" * 65, "too long: at most 64"),
    ("U" * 300, "too long: at most 64"),
    ("", "is empty"),
], ids=lambda v: ascii(v)[:30])
def test_codes_that_would_mislead_or_break_storage_are_refused(code: str, reason: str) -> None:
    with pytest.raises(InvalidField, match=reason):
        fields.PARTY_CODE(code)


def test_refusal_line_escapes_and_cuts_the_value() -> None:
    with pytest.raises(InvalidField) as caught:
        fields.REF("x" * 10_000 + "\n")
    line = str(caught.value)
    assert "\n" not in line and len(line) < 200
    with pytest.raises(InvalidField) as caught:
        fields.NAME("a\u202eb")
    assert "\u202e" not in str(caught.value) and "\\u202e" in str(caught.value)


def test_text_is_nfc_normalised() -> None:
    assert fields.NAME("Cafe\u0301") == "Café"
    assert fields.PARTY_CODE("E\u0301-1") == "É-1"


def test_free_text_keeps_inner_spaces_but_is_one_line() -> None:
    assert fields.REASON("考核 不合格") == "考核 不合格"
    assert fields.REF("临科发〔2025〕1号") == "临科发〔2025〕1号"
    for bad in ("考核\n不合格", "考核\r", "\t考核", "考核\x1b[2J"):
        with pytest.raises(InvalidField):
            fields.REASON(bad)


def test_optional_text_may_be_empty() -> None:
    assert fields.REF("", required=False) == ""
    with pytest.raises(InvalidField, match="is empty"):
        fields.REF("")


@pytest.mark.parametrize(("field", "limit"), [
    (fields.REF, 100), (fields.REQUEST_ID, 128), (fields.PARTY_CODE, 64), (fields.NAME, 120),
    (fields.REASON, 500), (fields.VOUCHER, 64),
])
def test_limits(field: fields.Text, limit: int) -> None:
    assert field("a" * limit) == "a" * limit
    with pytest.raises(InvalidField, match=f"at most {limit}"):
        field("a" * (limit + 1))


def test_read_model_text_has_no_length_a_recorded_value_could_exceed() -> None:
    """Every text column of the read models is unbounded: a value the boundary took, or one
    recorded before the boundary checks, must never overflow a column (on PostgreSQL that broke
    every report for good); only the columns jcg fills itself (tracking, meta, dates) may be bounded."""
    import sqlalchemy as sa

    from projections import store  # noqa: F401  # imports every model, so METADATA holds every table
    from projections.schema import META, METADATA, SNAPSHOTS, TRACKING, Label

    own = {(TRACKING.name, "application_name"), (SNAPSHOTS.name, "max_decided"), (META.name, "key")}
    bounded = [(t.name, c.name) for t in METADATA.sorted_tables for c in t.columns
               if isinstance(c.type, sa.String) and not isinstance(c.type, Label)
               and getattr(c.type, "length", None) is not None and (t.name, c.name) not in own
               and c.name != "decided"]
    assert bounded == []
    assert any(isinstance(c.type, Label) for c in METADATA.tables["rm_trail"].columns)


def test_officer_names_end_at_the_end() -> None:
    """A trailing newline passed a ``$`` check and made a key file with a newline in its name."""
    assert fields.OFFICER_NAME("zhang") == "zhang"
    assert fields.OFFICER_NAME("张伟") == "张伟" and fields.OFFICER_NAME("买买提·艾力") == "买买提·艾力"
    for bad in ("zhang\n", "zhang\r\n", "../zhang", "zhang wei", "_x", "xn--abc", "·x", "张伟²", "١٢"):
        with pytest.raises(InvalidField):
            fields.OFFICER_NAME(bad)


# amounts, rates, numbers ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("500,000.00", "500000.00"), ("50万", "500000.00"), ("50万元", "500000.00"),
    ("５０万", "500000.00"), ("５００，０００．００", "500000.00"), ("500000", "500000.00"),
])
def test_amounts_in_ascii_or_full_width_digits(text: str, expected: str) -> None:
    assert fields.amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["٥٠٠", "५००", "1_000", "500\n", "5e2", "50万\u200b", "๕๐๐", "1" * 100])
def test_amounts_in_other_digits_or_shapes_are_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        fields.amount(text)


@pytest.mark.parametrize("text", ["1_0%", "١٠%", "१०%", "10 %%", "1e1%", "+10%"])
def test_rates_are_strict(text: str) -> None:
    with pytest.raises(InvalidAmount):
        fields.rate(text)


def test_rates_as_written() -> None:
    assert fields.rate("４%") == Decimal("0.04")
    assert fields.rate("0.5") == Decimal("0.5")


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-01", date(2025, 3, 1)), ("2025年3月1日", date(2025, 3, 1)), ("2025年03月01日", date(2025, 3, 1)),
    ("2025/3/1", date(2025, 3, 1)), ("2025/12/31", date(2025, 12, 31)), ("２０２５年３月１日", date(2025, 3, 1)),
])
def test_dates_in_three_forms(text: str, expected: date) -> None:
    assert fields.parse_date(text) == expected


@pytest.mark.parametrize("text", ["20250101", "2025-W10-1", "2025-060", "2025-3-1", "2025-03-01T00:00",
                                  " 2025-03-01", "2025-03-01\n", "2025-02-30", "2025年2月30日", "٢٠٢٥-٠٣-٠١",
                                  "2025.3.1", "", "x" * 1000])
def test_other_date_forms_are_refused(text: str) -> None:
    with pytest.raises(InvalidDate):
        fields.parse_date(text)


@pytest.mark.parametrize(("field", "text", "value"), [
    (fields.TERM_MONTHS, "36", 36), (fields.TERM_MONTHS, "３６", 36), (fields.YEARS, "0", 0), (fields.YEARS, "50", 50),
])
def test_bounded_numbers(field: fields.Bounded, text: str, value: int) -> None:
    assert field(text) == value


@pytest.mark.parametrize(("field", "text"), [
    (fields.TERM_MONTHS, "999999999999"), (fields.TERM_MONTHS, "0"), (fields.TERM_MONTHS, "361"),
    (fields.TERM_MONTHS, "1_2"), (fields.TERM_MONTHS, "-1"), (fields.TERM_MONTHS, "٣"), (fields.YEARS, "51"),
    (fields.POSITION, str(2**63)), (fields.COUNT, "9" * 40),
])
def test_bounded_numbers_refuse_out_of_range_and_foreign_digits(field: fields.Bounded, text: str) -> None:
    with pytest.raises(InvalidField):
        field(text)


@pytest.mark.parametrize(("kind", "text"), [
    ("percent", "1_0%"), ("percent", "١٠%"), ("m2", "1e3"), ("m2", "१००"), ("count", "٣"), ("count", "9" * 30),
    ("date", "20250101"), ("date", "2025-W10-1"), ("year", "٢٠٢٥"),
])
def test_basis_values_are_parsed_by_the_same_rules(kind: str, text: str) -> None:
    with pytest.raises(Refused):
        Key("k", kind, "test").parse("P0", text)


def test_basis_dates_take_the_chinese_forms() -> None:
    assert Key("k", "date", "test").parse("P0", "2025年3月1日") == date(2025, 3, 1)


# the guard every request passes --------------------------------------------------------------


def test_guard_checks_nested_values_and_names() -> None:
    assert fields.check_value("basis", {"contract": "HT-001"}) == {"contract": "HT-001"}
    with pytest.raises(InvalidField, match="basis value"):
        fields.check_value("basis", {"contract": "HT\x00"})
    with pytest.raises(InvalidField, match="basis key"):
        fields.check_value("basis", {"con tract": "x"})
    with pytest.raises(InvalidField, match="loan term"):
        fields.check_value("term_months", 999_999_999_999)
    with pytest.raises(InvalidField, match="request id"):
        fields.check_value("request_id", "r" * 201)
    assert fields.check_value("holders", (("张三", "张三", Decimal(1)),)) == (("张三", "张三", Decimal(1)),)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=150))
def test_accepted_text_is_clean(value: str) -> None:
    """Whatever a text field accepts is NFC, one line, visible, trimmed and within its limit,
    and checking it again changes nothing."""
    try:
        text = fields.REF(value, required=False)
    except InvalidField:
        return
    assert text == unicodedata.normalize("NFC", text) == text.strip()
    assert len(text) <= fields.REF.limit
    assert not any(unicodedata.category(c) in fields.REFUSED_CATEGORIES for c in text)
    assert fields.REF(text, required=False) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_dates_never_crash(value: str) -> None:
    try:
        fields.parse_date(value)
    except InvalidDate:
        pass
